/**
 * A server message that lists problems ("header:\n- one\n- two") as a
 * dialog body: header lines as paragraphs, "- " lines as a list.
 */
import { Widget } from '@lumino/widgets';

export function problemsBody(message: string): Widget {
  const body = new Widget();
  body.addClass('mo-ProblemList');
  let list: HTMLUListElement | null = null;
  for (const line of message.split('\n').filter(l => l.trim())) {
    const item = /^\s*[-*•]\s+(.*)$/.exec(line);
    if (item) {
      if (!list) {
        list = document.createElement('ul');
        body.node.appendChild(list);
      }
      const li = document.createElement('li');
      li.textContent = item[1];
      list.appendChild(li);
    } else {
      list = null;
      const p = document.createElement('p');
      p.textContent = line;
      body.node.appendChild(p);
    }
  }
  return body;
}
