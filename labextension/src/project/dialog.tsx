/**
 * The New Project dialog: the templates (title and description in the UI's
 * language), the folder name (the template's, made unique in the file
 * browser's folder; it follows the chosen template until the user types one)
 * and, after a refused Create, the server's message.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorMessage } from '../api';
import {
  IProjectMade,
  IProjectTemplate,
  createProject,
  projectPath,
  uniqueName
} from './api';

export interface IProjectChoice {
  template: string;
  folder: string;
  /** Whether the user typed the folder name (else it follows the template). */
  typed: boolean;
}

interface IFormProps {
  trans: TranslationBundle;
  templates: IProjectTemplate[];
  lang: 'en' | 'zh';
  cwd: string;
  taken: string[];
  initial: IProjectChoice;
  serverError: string;
  onChange: (choice: IProjectChoice) => void;
}

function ProjectForm(props: IFormProps): JSX.Element {
  const { trans, templates, lang } = props;
  const [choice, setChoice] = React.useState(props.initial);
  const update = (next: IProjectChoice) => {
    setChoice(next);
    props.onChange(next);
  };
  const pick = (t: IProjectTemplate) =>
    update({
      template: t.name,
      folder: choice.typed ? choice.folder : uniqueName(t.folder, props.taken),
      typed: choice.typed
    });
  return (
    <div className="mo-NewProject-body">
      {props.serverError && (
        <pre
          className="mo-Message mo-mod-error mo-NewProject-error"
          role="alert"
          data-testid="mo-new-project-error"
        >
          {props.serverError}
        </pre>
      )}
      <div
        className="mo-NewProject-templates"
        role="radiogroup"
        aria-label={trans.__('Template')}
      >
        {templates.map(t => (
          <label
            key={t.name}
            className={
              'mo-NewProject-template' +
              (t.name === choice.template ? ' mo-mod-selected' : '')
            }
            data-template={t.name}
          >
            <input
              type="radio"
              name="mo-project-template"
              value={t.name}
              checked={t.name === choice.template}
              onChange={() => pick(t)}
            />
            <span className="mo-NewProject-text">
              <span className="mo-NewProject-title">{t.title[lang]}</span>
              <span className="mo-NewProject-description">
                {t.description[lang]}
              </span>
            </span>
          </label>
        ))}
      </div>
      <label className="mo-NewProject-row">
        <span>{trans.__('Folder')}</span>
        <input
          className="jp-mod-styled"
          name="folder"
          data-testid="mo-new-project-folder"
          value={choice.folder}
          onChange={e =>
            update({ ...choice, folder: e.currentTarget.value, typed: true })
          }
        />
      </label>
      <div className="mo-NewProject-hint" data-testid="mo-new-project-hint">
        {trans.__(
          'Creates %1 with the template’s files; jobs of files in it run in that folder.',
          projectPath(props.cwd, choice.folder) || '…'
        )}
      </div>
    </div>
  );
}

class ProjectDialogBody extends ReactWidget {
  constructor(
    private _props: Omit<IFormProps, 'onChange'>,
    public choice: IProjectChoice
  ) {
    super();
    this.addClass('mo-NewProject');
  }

  getValue(): IProjectChoice {
    return this.choice;
  }

  render(): JSX.Element {
    return <ProjectForm {...this._props} onChange={c => (this.choice = c)} />;
  }
}

/**
 * Show the dialog until the server makes the project (its reply) or the user
 * cancels (null). `cwd`: the file browser's folder; `taken`: the names in it.
 */
export async function showNewProjectDialog(
  trans: TranslationBundle,
  templates: IProjectTemplate[],
  lang: 'en' | 'zh',
  cwd: string,
  taken: string[],
  preferred?: string
): Promise<IProjectMade | null> {
  const first =
    templates.find(t => t.name === preferred) ?? templates[0] ?? null;
  if (!first) {
    return null;
  }
  let choice: IProjectChoice = {
    template: first.name,
    folder: uniqueName(first.folder, taken),
    typed: false
  };
  let serverError = '';
  for (;;) {
    const body = new ProjectDialogBody(
      { trans, templates, lang, cwd, taken, initial: choice, serverError },
      choice
    );
    const result = await showDialog<IProjectChoice>({
      title: trans.__('New Project from Template'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Create') })
      ],
      focusNodeSelector: 'input[name="folder"]'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    choice = result.value;
    if (!choice.folder.trim()) {
      serverError = trans.__('Give the project folder a name.');
      continue;
    }
    try {
      return await createProject(
        choice.template,
        projectPath(cwd, choice.folder)
      );
    } catch (err) {
      serverError = errorMessage(err);
    }
  }
}
