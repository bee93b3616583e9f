/** The file browser's selection as a command argument. Pure. */

/** The first selected item's path if it is a file matching `pattern`, else ''. */
export function selectedPath(
  selected: Iterable<{ path: string; type?: string }>,
  pattern: RegExp
): string {
  for (const item of selected) {
    return item.type !== 'directory' && pattern.test(item.path)
      ? item.path
      : '';
  }
  return '';
}
