/**
 * What the Mo form dialogs share (New project, New module, Edit module, New
 * and Edit dataset): a dialog body that keeps the values its React form
 * reports (showDialog reads them with getValue()), the form's values as
 * React state, the server's message at the form's top, and the loop that
 * shows the form again, with that message, until the server accepts it.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorMessage } from './api';

/** What a form body gets: its first values and where to report each change. */
export interface IFormProps<T> {
  initial: T;
  onChange: (values: T) => void;
}

/** A dialog body rendering `form`; getValue() is the values it last reported. */
export class ValuesForm<T> extends ReactWidget {
  constructor(
    public values: T,
    private _form: (props: IFormProps<T>) => JSX.Element,
    className: string
  ) {
    super();
    this.addClass(className);
  }

  getValue(): T {
    return this.values;
  }

  render(): JSX.Element {
    return this._form({
      initial: this.values,
      onChange: v => (this.values = v)
    });
  }
}

/** A change of a form's input, select or textarea. */
export type FieldEvent = React.ChangeEvent<
  HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
>;

/** The keys of T whose values are strings (what a text field edits). */
export type TextKey<T> = {
  [K in keyof T]: T[K] extends string ? K : never;
}[keyof T] &
  string;

/** What a text field may add to its key and label. */
export interface ITextExtra {
  rows?: number;
  placeholder?: string;
  disabled?: boolean;
  testId?: string;
}

/**
 * The form's values as state: `update` sets and reports them, `set(key)` is
 * the change handler of a control whose value is that key's, and
 * `text(key, label)` a labelled text field of that key, in a row classed
 * `rowClass` (or what it answers for the key).
 */
export function useFormValues<T>(
  props: IFormProps<T>,
  rowClass: string | ((key: string) => string) = ''
): {
  v: T;
  update: (next: T) => void;
  set: (key: keyof T) => (e: FieldEvent) => void;
  text: (key: TextKey<T>, label: string, extra?: ITextExtra) => JSX.Element;
} {
  const [v, setV] = React.useState(props.initial);
  const update = (next: T) => {
    setV(next);
    props.onChange(next);
  };
  const set = (key: keyof T) => (e: FieldEvent) =>
    update({ ...v, [key]: e.currentTarget.value });
  const text = (key: TextKey<T>, label: string, extra: ITextExtra = {}) => (
    <TextField
      className={typeof rowClass === 'string' ? rowClass : rowClass(key)}
      label={label}
      name={key}
      value={v[key] as string}
      onChange={set(key)}
      {...extra}
    />
  );
  return { v, update, set, text };
}

/** A labelled row of a form: the label's text, then its control. */
export function FormRow(props: {
  className: string;
  label: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <label className={props.className}>
      <span>{props.label}</span>
      {props.children}
    </label>
  );
}

/** A labelled text field: an input, or with `rows` a textarea of that many lines. */
export function TextField(
  props: ITextExtra & {
    className: string;
    label: string;
    name: string;
    value: string;
    onChange: (e: FieldEvent) => void;
  }
): JSX.Element {
  const control = {
    className: 'jp-mod-styled',
    name: props.name,
    value: props.value,
    placeholder: props.placeholder,
    disabled: props.disabled,
    'data-testid': props.testId,
    onChange: props.onChange
  };
  return (
    <FormRow className={props.className} label={props.label}>
      {props.rows ? (
        <textarea rows={props.rows} {...control} />
      ) : (
        <input {...control} />
      )}
    </FormRow>
  );
}

/** The server's message (every problem, one per line) at the top of a form. */
export function FormError(props: {
  message: string;
  className: string;
  testId: string;
}): JSX.Element | null {
  return props.message ? (
    <pre
      className={`mo-Message mo-mod-error ${props.className}`}
      role="alert"
      data-testid={props.testId}
    >
      {props.message}
    </pre>
  ) : null;
}

/**
 * Show the form dialog until `submit` succeeds (its result) or the user
 * cancels (null). When `submit` throws, the form opens again with the values
 * as they were and the error's message.
 */
export async function showFormUntilDone<T, R>(options: {
  trans: TranslationBundle;
  initial: T;
  /** The form's body: its props and the server's message ('' at first). */
  form: (props: IFormProps<T>, serverError: string) => JSX.Element;
  /** The dialog body's class. */
  className: string;
  title: string;
  /** The accept button's label (next to Cancel). */
  okLabel: string;
  focusNodeSelector: string;
  submit: (values: T) => Promise<R>;
}): Promise<R | null> {
  const { trans } = options;
  let values = options.initial;
  let serverError = '';
  for (;;) {
    const message = serverError;
    const result = await showDialog<T>({
      title: options.title,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: options.okLabel })
      ],
      focusNodeSelector: options.focusNodeSelector,
      body: new ValuesForm(
        values,
        p => options.form(p, message),
        options.className
      )
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    values = result.value;
    try {
      return await options.submit(values);
    } catch (err) {
      serverError = errorMessage(err);
    }
  }
}
