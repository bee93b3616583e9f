/**
 * Markdown through JupyterLab's rendermime registry (sanitised, themed like
 * notebook markdown cells), as a React component.
 */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

export function Markdown(props: {
  source: string;
  rendermime: IRenderMimeRegistry;
  className?: string;
  testId?: string;
}): JSX.Element {
  const { source, rendermime } = props;
  const host = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    const renderer = rendermime.createRenderer('text/markdown');
    renderer.addClass('mo-Markdown-rendered');
    const model = new MimeModel({ data: { 'text/markdown': source } });
    if (node.isConnected) {
      Widget.attach(renderer, node);
    } else {
      node.appendChild(renderer.node);
    }
    renderer.renderModel(model).then(
      () => node.setAttribute('data-rendered', 'true'),
      err => {
        node.textContent = source;
        console.warn('mo_jupyter: cannot render markdown', err);
      }
    );
    return () => {
      node.removeAttribute('data-rendered');
      // React unmounts after Lumino took the tab out of the page (closing
      // it): Widget.detach (and dispose, which calls it) would throw
      // "Widget is not attached." for a node no longer in the document.
      if (renderer.isAttached && renderer.node.isConnected) {
        Widget.detach(renderer);
      } else if (renderer.isAttached) {
        MessageLoop.sendMessage(renderer, Widget.Msg.BeforeDetach);
        renderer.node.remove();
        MessageLoop.sendMessage(renderer, Widget.Msg.AfterDetach);
      } else {
        renderer.node.remove();
      }
      renderer.dispose();
    };
  }, [source, rendermime]);
  return (
    <div
      ref={host}
      className={`mo-Markdown ${props.className ?? ''}`}
      data-testid={props.testId}
    />
  );
}
