/**
 * Step 2, "Preview handler.py": the file made of the selected cells, in an
 * editable monospace text area. Edited text is scanned again (its inputs and
 * outputs are what step 3 shows) and sent as is when the files are written;
 * errors in it (a syntax error, two handles) block Next here. "Regenerate"
 * drops the edits.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IProblem } from '../api';
import { ProblemList } from './problems';

export function HandlerStep(props: {
  text: string;
  edited: boolean;
  /** The edited text's scan is not in yet. */
  pending: boolean;
  /** Errors in the edited text that block Next. */
  errors: IProblem[];
  onChange: (text: string) => void;
  onReset: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  return (
    <div
      className="mo-Deploy-step mo-Deploy-handler"
      data-testid="mo-deploy-handler"
    >
      <div className="mo-Deploy-handlerHead">
        <p className="mo-Deploy-hint">
          {props.edited
            ? trans.__(
                'Edited by you: this text is written to handler.py, and the next steps read their inputs and outputs from it. Changing the cell selection does not change it.'
              )
            : trans.__(
                'Generated from the selected cells; you may edit it. If it is wrong, go back and change the selection.'
              )}
        </p>
        {props.edited && (
          <button
            className="jp-Button jp-mod-styled jp-mod-reject"
            data-testid="mo-deploy-handler-reset"
            onClick={props.onReset}
          >
            {trans.__('Regenerate')}
          </button>
        )}
      </div>
      {props.edited && (props.pending || props.errors.length > 0) && (
        <div
          className="mo-Deploy-blocking"
          role={props.pending ? 'status' : 'alert'}
          data-testid="mo-deploy-handler-problems"
        >
          {props.pending ? (
            <p className="mo-Deploy-blockingHead">
              {trans.__('Reading the edited handler.py…')}
            </p>
          ) : (
            <>
              <p className="mo-Deploy-blockingHead">
                {trans.__('Fix these in handler.py before going on:')}
              </p>
              <ProblemList problems={props.errors} trans={trans} />
            </>
          )}
        </div>
      )}
      <textarea
        className="mo-Deploy-code"
        data-testid="mo-deploy-handler-text"
        spellCheck={false}
        wrap="off"
        value={props.text}
        onChange={e => props.onChange(e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Tab' && !e.shiftKey) {
            // indent instead of leaving the field
            e.preventDefault();
            const el = e.currentTarget;
            const { selectionStart: a, selectionEnd: b, value } = el;
            props.onChange(value.slice(0, a) + '    ' + value.slice(b));
            requestAnimationFrame(() => el.setSelectionRange(a + 4, a + 4));
          }
        }}
      />
    </div>
  );
}
