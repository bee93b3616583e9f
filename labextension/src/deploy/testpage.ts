/**
 * A deployed service's test page (seeds: "测试项目") in a main-area tab: an
 * IFrame on the service's proxy path through the Jupyter server, sandboxed
 * WITHOUT allow-same-origin: the page (the app's HTML, written by whoever
 * deployed it) runs with an opaque origin, so it can reach none of Jupyter's
 * API, cookies or token. It calls the app with the service's own key instead,
 * which it reads from its URL's fragment (never sent to a server). The key is
 * asked for each time the page opens, on the route that hands it out only to
 * users who may write (a user who may only read gets the page without it).
 * The page is in JupyterLab's language (`?lang=`, see testurl.ts).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { IFrame } from '@jupyterlab/ui-components';

import { enc, errorMessage, requestAPI } from '../api';
import { deployIcon } from '../icons';
import { IService, IServiceKey } from './api';
import {
  TEST_PAGE_SANDBOX,
  testPageAddress,
  testPageLanguage
} from './testurl';

/** The service's key (POST: refused, 403, to a user who may only read). */
export function serviceKey(id: string): Promise<IServiceKey> {
  return requestAPI<IServiceKey>(`services/${enc(id)}/key`, {
    method: 'POST',
    body: '{}',
    headers: { 'Content-Type': 'application/json' }
  });
}

/**
 * The test page's URL: the server's base URL + the service's proxy path +
 * `?lang=<JupyterLab's language>` + `#key=<key>`.
 */
export async function testPageUrl(service: IService): Promise<string> {
  const { key } = await serviceKey(service.id);
  return testPageAddress(
    ServerConnection.makeSettings().baseUrl,
    service,
    key,
    testPageLanguage()
  );
}

export function testPageId(service: IService | string): string {
  return `mo-testpage-${typeof service === 'string' ? service : service.id}`;
}

/** Close the test page tab of the service `id` (a deleted service); whether one was open. */
export function closeTestPage(app: JupyterFrontEnd, id: string): boolean {
  const tabId = testPageId(id);
  for (const w of app.shell.widgets('main')) {
    if (w.id === tabId) {
      w.close();
      return true;
    }
  }
  return false;
}

/**
 * Open (or reload) the test page tab of `service`, with its current key (a
 * rotated key is picked up). Without the key (the user may not write) the
 * page opens all the same and a warning says why its calls are refused.
 */
export async function openTestPage(
  app: JupyterFrontEnd,
  service: IService,
  trans: TranslationBundle
): Promise<MainAreaWidget<IFrame>> {
  const id = testPageId(service);
  let url: string;
  try {
    url = await testPageUrl(service);
  } catch (err) {
    url = testPageAddress(
      ServerConnection.makeSettings().baseUrl,
      service,
      null,
      testPageLanguage()
    );
    Notification.warning(
      trans.__(
        'The test page of %1 opens without its key (%2): only users who may change services get it, so the page cannot run the app.',
        service.id,
        errorMessage(err)
      ),
      { autoClose: 8000 }
    );
  }
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
