/**
 * "Register as Model…": a short form (name, description) for a project
 * file, shown again with the server's message until the server accepts it.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  FormError,
  IFormProps,
  showFormUntilDone,
  useFormValues
} from '../form';
import { IModelRecord, registerModel } from './api';
import { defaultModelName } from './format';

interface IRegisterValues {
  name: string;
  description: string;
}

function RegisterForm(
  props: IFormProps<IRegisterValues> & {
    trans: TranslationBundle;
    path: string;
    serverError: string;
  }
): JSX.Element {
  const { trans } = props;
  const { text } = useFormValues(props, 'mo-RegisterModel-row');
  return (
    <div className="mo-RegisterModel-body">
      <FormError
        message={props.serverError}
        className="mo-RegisterModel-error"
        testId="mo-register-model-error"
      />
      <p className="mo-RegisterModel-file">
        {trans.__('File: %1', props.path)}
      </p>
      {text('name', trans.__('Model name'), {
        testId: 'mo-register-model-name'
      })}
      <p className="mo-RegisterModel-hint">
        {trans.__(
          'A name that has versions already gets the next version; a new name starts at version 1.'
        )}
      </p>
      {text('description', trans.__('Description'), {
        rows: 3,
        testId: 'mo-register-model-description'
      })}
    </div>
  );
}

/** Ask for a name and a description, then register; null when cancelled. */
export function showRegisterModelForm(
  trans: TranslationBundle,
  path: string
): Promise<IModelRecord | null> {
  return showFormUntilDone<IRegisterValues, IModelRecord>({
    trans,
    initial: { name: defaultModelName(path), description: '' },
    form: (p, serverError) => (
      <RegisterForm
        {...p}
        trans={trans}
        path={path}
        serverError={serverError}
      />
    ),
    className: 'mo-RegisterModel',
    title: trans.__('Register as Model'),
    okLabel: trans.__('Register'),
    focusNodeSelector: 'input[name="name"]',
    submit: values => {
      const name = values.name.trim();
      const description = values.description.trim();
      return registerModel({
        path,
        ...(name ? { name } : {}),
        ...(description ? { description } : {})
      });
    }
  });
}
