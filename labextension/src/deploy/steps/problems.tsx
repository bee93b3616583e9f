/** The parser's problems as a list: severity badge, message, cell and line. */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IProblem } from '../api';

export function where(p: IProblem, trans: TranslationBundle): string {
  if (p.cell === null || p.cell === undefined) {
    return p.line ? trans.__('line %1', p.line) : '';
  }
  return p.line
    ? trans.__('cell %1, line %2', p.cell + 1, p.line)
    : trans.__('cell %1', p.cell + 1);
}

export function ProblemList(props: {
  problems: IProblem[];
  trans: TranslationBundle;
  testId?: string;
  compact?: boolean;
}): JSX.Element | null {
  const { problems, trans } = props;
  if (!problems.length) {
    return null;
  }
  return (
    <ul
      className={`mo-Deploy-problems${props.compact ? ' mo-mod-compact' : ''}`}
      data-testid={props.testId}
    >
      {problems.map((p, i) => (
        <li
          key={i}
          className={`mo-Deploy-problem mo-mod-${p.severity}`}
          data-severity={p.severity}
        >
          <span className="mo-Deploy-badge">
            {p.severity === 'error' ? trans.__('error') : trans.__('warning')}
          </span>
          <span className="mo-Deploy-problemText">{p.message}</span>
          {where(p, trans) && (
            <span className="mo-Deploy-where">{where(p, trans)}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
