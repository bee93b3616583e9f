/**
 * The scan of handler.py as the user edited it in the wizard's step 2: POST
 * handle/scan with `source` (the server parses the text, never runs it, and
 * names the files it reads relative to the notebook's folder). Once the text
 * is edited, this scan, not the notebook's, gives the inputs and outputs of
 * step 3 and the files and spec of step 4.
 */
import * as React from 'react';

import { errorMessage, requestAPI } from '../api';
import { IScanResult } from './api';

/** POST handle/scan {path, source}: the edited text's spec, problems and files. */
export function scanHandlerText(
  path: string,
  source: string
): Promise<IScanResult> {
  return requestAPI<IScanResult>('handle/scan', {
    method: 'POST',
    body: JSON.stringify({ path, source }),
    headers: { 'Content-Type': 'application/json' }
  });
}

export interface IHandlerScan {
  /** The scan of the latest text that has an answer (null before the first). */
  scan: IScanResult | null;
  /** True while the answer for the current text is not in. */
  pending: boolean;
  error: string;
}

/**
 * Scans `text` (null: not edited, nothing to scan) `delay` ms after the last
 * change; answers for older text are dropped.
 */
export function useHandlerScan(
  path: string,
  text: string | null,
  delay = 300
): IHandlerScan {
  const [answer, setAnswer] = React.useState<{
    text: string;
    scan: IScanResult | null;
    error: string;
  } | null>(null);
  const seq = React.useRef(0);
  React.useEffect(() => {
    const mine = ++seq.current;
    if (text === null) {
      setAnswer(null);
      return;
    }
    const timer = setTimeout(() => {
      scanHandlerText(path, text).then(
        scan => mine === seq.current && setAnswer({ text, scan, error: '' }),
        err =>
          mine === seq.current &&
          setAnswer({ text, scan: null, error: errorMessage(err) })
      );
    }, delay);
    return () => clearTimeout(timer);
  }, [path, text]);
  return {
    scan: answer?.scan ?? null,
    pending: text !== null && answer?.text !== text,
    error: answer?.text === text ? (answer?.error ?? '') : ''
  };
}
