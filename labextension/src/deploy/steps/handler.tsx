/**
 * Step 2, "Preview handler.py": the file made of the selected cells, in an
 * editable monospace text area. Edited text is sent as is when the files are
 * written; "Regenerate" drops the edits.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export function HandlerStep(props: {
  text: string;
  edited: boolean;
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
                'Edited by you: this text is written to handler.py. Changing the cell selection does not change it.'
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
