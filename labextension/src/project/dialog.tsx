/**
 * The New Project dialog: the templates (title and description in the UI's
 * language), the folder name (the template's, made unique in the file
 * browser's folder; it follows the chosen template until the user types one)
 * and, after a refused Create, the server's message.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  FormError,
  IFormProps,
  TextField,
  showFormUntilDone,
  useFormValues
} from '../form';
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

function ProjectForm(
  props: IFormProps<IProjectChoice> & {
    trans: TranslationBundle;
    templates: IProjectTemplate[];
    lang: 'en' | 'zh';
    cwd: string;
    taken: string[];
    serverError: string;
  }
): JSX.Element {
  const { trans, templates, lang } = props;
  const { v: choice, update } = useFormValues(props);
  const pick = (t: IProjectTemplate) =>
    update({
      template: t.name,
      folder: choice.typed ? choice.folder : uniqueName(t.folder, props.taken),
      typed: choice.typed
    });
  return (
    <div className="mo-NewProject-body">
      <FormError
        message={props.serverError}
        className="mo-NewProject-error"
        testId="mo-new-project-error"
      />
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
      <TextField
        className="mo-NewProject-row"
        label={trans.__('Folder')}
        name="folder"
        testId="mo-new-project-folder"
        value={choice.folder}
        onChange={e =>
          update({ ...choice, folder: e.currentTarget.value, typed: true })
        }
      />
      <div className="mo-NewProject-hint" data-testid="mo-new-project-hint">
        {trans.__(
          'Creates %1 with the template’s files; jobs of files in it run in that folder.',
          projectPath(props.cwd, choice.folder) || '…'
        )}
      </div>
    </div>
  );
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
  return showFormUntilDone<IProjectChoice, IProjectMade>({
    trans,
    initial: {
      template: first.name,
      folder: uniqueName(first.folder, taken),
      typed: false
    },
    form: (p, serverError) => (
      <ProjectForm
        {...p}
        trans={trans}
        templates={templates}
        lang={lang}
        cwd={cwd}
        taken={taken}
        serverError={serverError}
      />
    ),
    className: 'mo-NewProject',
    title: trans.__('New Project from Template'),
    okLabel: trans.__('Create'),
    focusNodeSelector: 'input[name="folder"]',
    submit: async choice => {
      if (!choice.folder.trim()) {
        throw new Error(trans.__('Give the project folder a name.'));
      }
      return createProject(choice.template, projectPath(cwd, choice.folder));
    }
  });
}
