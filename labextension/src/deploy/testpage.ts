/**
 * A deployed service's test page (seeds: "测试项目") in a main-area tab: an
 * IFrame on the service's proxy path through the Jupyter server, sandboxed
 * WITHOUT allow-same-origin: the page (the app's HTML, written by whoever
 * deployed it) runs with an opaque origin, so it can reach none of Jupyter's
 * API, cookies or token. It calls the app with the service's own key instead,
 * which it reads from its URL's fragment (never sent to a server).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { IFrame } from '@jupyterlab/ui-components';

import { deployIcon } from '../icons';
import { IService } from './api';
import { TEST_PAGE_SANDBOX, testPageAddress } from './testurl';

/** The test page's URL: the server's base URL + the service's proxy path + `#key=<key>`. */
export function testPageUrl(service: IService): string {
  return testPageAddress(ServerConnection.makeSettings().baseUrl, service);
}

export function testPageId(service: IService): string {
  return `mo-testpage-${service.id}`;
}

/** Open (or reload) the test page tab of `service`. */
export function openTestPage(
  app: JupyterFrontEnd,
  service: IService,
  trans: TranslationBundle
): MainAreaWidget<IFrame> {
  const id = testPageId(service);
  const url = testPageUrl(service);
  for (const w of app.shell.widgets('main')) {
    if (w.id === id && w instanceof MainAreaWidget) {
      const frame = w.content as IFrame;
      frame.url = '';
      frame.url = url;
      app.shell.activateById(id);
      return w as MainAreaWidget<IFrame>;
    }
  }
  const content = new IFrame({
    sandbox: [...TEST_PAGE_SANDBOX],
    referrerPolicy: 'no-referrer'
  });
  content.addClass('mo-TestPage');
  content.url = url;
  content.node.dataset.serviceId = service.id;
  content.node.dataset.testid = 'mo-testpage';
  const widget = new MainAreaWidget({ content });
  widget.id = id;
  widget.title.label = trans.__('Test %1', service.id);
  widget.title.caption = trans.__(
    'Test page of the service %1: %2',
    service.id,
    service.url
  );
  widget.title.icon = deployIcon;
  widget.title.closable = true;
  app.shell.add(widget, 'main');
  app.shell.activateById(id);
  return widget;
}
