/**
 * Split an argument string the way a POSIX shell would (without expansion):
 * whitespace separates words, '...' is literal, "..." allows \" \\ \$ \`
 * escapes, and a backslash outside quotes escapes the next character.
 * Throws on an unterminated quote or a trailing backslash.
 */
export function shellSplit(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) {
        words.push(word);
        word = '';
        inWord = false;
      }
      i++;
    } else if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) {
        throw new Error('unterminated single quote');
      }
      word += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      let closed = false;
      while (i < n) {
        const d = input[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < n && '"\\$`\n'.includes(input[i + 1])) {
          if (input[i + 1] !== '\n') {
            word += input[i + 1];
          }
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) {
        throw new Error('unterminated double quote');
      }
    } else if (c === '\\') {
      if (i + 1 >= n) {
        throw new Error('trailing backslash');
      }
      if (input[i + 1] !== '\n') {
        word += input[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) {
    words.push(word);
  }
  return words;
}

/** Quote an argument so that shellSplit reads it back as it is. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/'/g, '\'"\'"\'')}'`;
}
