/**
 * The Deploy sidebar (seeds: "点击左侧的部署图标"): the three steps of
 * deploying a notebook, each with its button: 1 insert the handle function,
 * 2 prepare the files (the wizard), 3 deploy (the wizard's last step).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { SidebarHeader } from '../components';
import { deployIcon } from '../icons';
import { INSERT_HANDLE } from './handle';
import { ServicesList } from './services';

export class DeploySidebar extends ReactWidget {
  constructor(
    private _options: {
      app: JupyterFrontEnd;
      commands: CommandRegistry;
      trans: TranslationBundle;
    }
  ) {
    super();
    this.id = 'mo-deploy-sidebar';
    this.addClass('mo-Sidebar');
    this.addClass('mo-DeploySidebar');
    this.title.icon = deployIcon;
    this.title.caption = _options.trans.__('Deploy');
  }

  render(): JSX.Element {
    const { app, commands, trans } = this._options;
    const run = (command: string, args = {}) =>
      void commands.execute(command, args);
    const steps = [
      {
        id: 'handle',
        title: trans.__('Insert handle function'),
        text: trans.__(
          'Click the cell to insert below, then insert the handle(conf) template. Read each input from conf with a # value_type comment; the returned dict is the output.'
        ),
        button: trans.__('Insert'),
        action: () => run(INSERT_HANDLE)
      },
      {
        id: 'prepare',
        title: trans.__('Prepare files'),
        text: trans.__(
          'Select the cells to deploy, preview handler.py and check the inputs and outputs read from the handle function.'
        ),
        button: trans.__('Start'),
        action: () => run('mo:deploy')
      },
      {
        id: 'deploy',
        title: trans.__('Deploy'),
        text: trans.__(
          'Write handler.py and app_spec.yml, choose the version and the files to include, deploy, and try the test page.'
        ),
        button: trans.__('Deploy'),
        action: () => run('mo:deploy', { step: 'deploy' })
      }
    ];
    return (
      <div className="mo-DeploySidebar-content">
        <SidebarHeader prefix="mo-DeploySidebar" title={trans.__('Deploy')} />
        <p className="mo-DeploySidebar-intro">
          {trans.__(
            'Deploy the current notebook as a web service in three steps.'
          )}
        </p>
        <ol className="mo-DeploySidebar-steps">
          {steps.map((st, i) => (
            <li
              key={st.id}
              className="mo-DeploySidebar-step"
              data-testid={`mo-deploy-sidebar-${st.id}`}
            >
              <div className="mo-DeploySidebar-stepHead">
                <span className="mo-DeployWizard-stepNumber">{i + 1}</span>
                <span className="mo-DeploySidebar-stepTitle">{st.title}</span>
              </div>
              <p className="mo-DeploySidebar-text">{st.text}</p>
              <button
                className="jp-Button jp-mod-styled jp-mod-accept"
                data-testid={`mo-deploy-sidebar-${st.id}-button`}
                onClick={st.action}
              >
                {st.button}
              </button>
            </li>
          ))}
        </ol>
        <h3 className="mo-DeploySidebar-servicesTitle">
          {trans.__('Services')}
        </h3>
        <ServicesList app={app} trans={trans} />
      </div>
    );
  }
}
