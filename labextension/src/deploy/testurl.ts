/**
 * The test page's address and sandbox, apart from the widget (so that they
 * are testable without a DOM). The page is HTML written by whoever deployed
 * the app: it runs with an opaque origin (no allow-same-origin), and finds
 * the service's key in its URL's fragment, which is never sent to a server.
 * The page's language rides in the query (`?lang=zh_CN` or `en`): the app
 * server renders the page in it (without it, in the browser's language).
 */
import type { IService } from './api';

/** The sandbox of the test page: scripts, forms, downloads of its outputs; no same origin. */
export const TEST_PAGE_SANDBOX = [
  'allow-scripts',
  'allow-forms',
  'allow-downloads'
] as const;

/** The test page's language for JupyterLab's language code: zh* -> zh_CN, else en. */
export function testPageLang(languageCode: string | null | undefined): string {
  return /^zh/i.test(languageCode ?? '') ? 'zh_CN' : 'en';
}

let uiLanguage = 'en';

/** Remember JupyterLab's language (ITranslator.languageCode) for the test pages opened later. */
export function setTestPageLanguage(languageCode: string | null | undefined) {
  uiLanguage = testPageLang(languageCode);
}

/** The language the test pages open in (see setTestPageLanguage). */
export function testPageLanguage(): string {
  return uiLanguage;
}

/**
 * `<base>/<proxy>?lang=<lang>#key=<key>` (no query without a language, no
 * fragment without a key).
 */
export function testPageAddress(
  baseUrl: string,
  service: Pick<IService, 'proxy'>,
  key?: string | null,
  lang?: string | null
): string {
  const url =
    baseUrl.replace(/\/+$/, '') +
    '/' +
    service.proxy.replace(/^\/+/, '') +
    (lang ? `?lang=${encodeURIComponent(lang)}` : '');
  return key ? `${url}#key=${encodeURIComponent(key)}` : url;
}
