/**
 * Small React pieces the Jobs, Modules and Datasets sidebars share: the
 * header with its title and icon buttons, and clickable list rows.
 */
import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/** A minimal toolbar button showing only an icon (title and aria-label say what it does). */
export function IconButton(props: {
  icon: LabIcon;
  title: string;
  className: string;
  onClick: (e: React.MouseEvent) => void;
  testId?: string;
}): JSX.Element {
  const Icon = props.icon;
  return (
    <button
      className={`jp-Button jp-mod-minimal mo-IconButton ${props.className}`}
      data-testid={props.testId}
      title={props.title}
      aria-label={props.title}
      onClick={props.onClick}
    >
      <Icon.react tag="span" elementSize="normal" />
    </button>
  );
}

/**
 * A sidebar's header: its title and buttons. `prefix` names the sidebar's
 * own classes (`${prefix}-header`, `${prefix}-title`), next to the shared
 * `mo-Sidebar-header` and `mo-Sidebar-title`.
 */
export function SidebarHeader(props: {
  prefix: string;
  title: string;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className={`mo-Sidebar-header ${props.prefix}-header`}>
      <h2 className={`mo-Sidebar-title ${props.prefix}-title`}>
        {props.title}
      </h2>
      {props.children}
    </div>
  );
}

/** What makes a list row open on a click or on Enter, and focusable. */
export function activation(open: () => void): {
  tabIndex: number;
  onClick: () => void;
  onKeyDown: (e: React.KeyboardEvent) => void;
} {
  return {
    tabIndex: 0,
    onClick: open,
    onKeyDown: e => {
      if (e.key === 'Enter') {
        open();
      }
    }
  };
}
