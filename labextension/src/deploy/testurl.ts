/**
 * The test page's address and sandbox, apart from the widget (so that they
 * are testable without a DOM). The page is HTML written by whoever deployed
 * the app: it runs with an opaque origin (no allow-same-origin), and finds
 * the service's key in its URL's fragment, which is never sent to a server.
 */
import type { IService } from './api';

/** The sandbox of the test page: scripts, forms, downloads of its outputs; no same origin. */
export const TEST_PAGE_SANDBOX = [
  'allow-scripts',
  'allow-forms',
  'allow-downloads'
] as const;

/** `<base>/<proxy>#key=<key>` (no fragment without a key). */
export function testPageAddress(
  baseUrl: string,
  service: Pick<IService, 'proxy'>,
  key?: string | null
): string {
  const url =
    baseUrl.replace(/\/+$/, '') + '/' + service.proxy.replace(/^\/+/, '');
  return key ? `${url}#key=${encodeURIComponent(key)}` : url;
}
