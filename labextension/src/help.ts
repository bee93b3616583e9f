/**
 * Help where a learner looks (issue 10, §5): the seeds' memory tips and the
 * dataset format standard as JupyterLab documents, in the Help menu (a group
 * for Mo) and the palette. Each opens read-only in the main area, rendered by
 * JupyterLab's Markdown renderer, in the UI's language (zh* -> zh_CN, else
 * English), as the server's `GET mo/api/help/<name>?lang=` hands it out.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import {
  ITranslator,
  TranslationBundle,
  nullTranslator
} from '@jupyterlab/translation';
import { markdownIcon } from '@jupyterlab/ui-components';
import { Panel } from '@lumino/widgets';

import { enc, errorMessage, requestAPI } from './api';
import { DOMAIN } from './tokens';

export const OPEN_HELP = 'mo:open-help';

/** The documents, in the menu's order (the server knows the same names). */
export const HELP_DOCS = ['memory', 'dataset-formats'] as const;
export type HelpName = (typeof HELP_DOCS)[number];

export interface IHelpDocument {
  name: string;
  lang: string;
  title: string;
  markdown: string;
}

/** The documents' language for JupyterLab's language code: zh* -> zh_CN, else en. */
export function helpLanguage(languageCode: string | null | undefined): string {
  return /^zh/i.test(languageCode ?? '') ? 'zh_CN' : 'en';
}

export function fetchHelp(name: string, lang: string): Promise<IHelpDocument> {
  return requestAPI<IHelpDocument>(`help/${enc(name)}?lang=${enc(lang)}`);
}

function isHelpName(name: unknown): name is HelpName {
  return HELP_DOCS.includes(name as HelpName);
}

function helpLabel(trans: TranslationBundle, name: HelpName): string {
  return name === 'memory'
    ? trans.__('Saving Memory in Notebooks')
    : trans.__('Dataset Format Standard');
}

/** One help document, rendered read-only (untrusted Markdown: sanitised). */
export class HelpDocument extends Panel {
  constructor(
    readonly docName: HelpName,
    readonly lang: string,
    private rendermime: IRenderMimeRegistry
  ) {
    super();
    this.addClass('mo-HelpDocument');
    this.node.dataset.testid = 'mo-help';
    this.node.dataset.doc = docName;
    this.node.dataset.lang = lang;
  }

  /** Fetch and render the document; the document's title, or throws. */
  async load(): Promise<string> {
    const doc = await fetchHelp(this.docName, this.lang);
    const renderer = this.rendermime.createRenderer('text/markdown');
    renderer.addClass('mo-HelpDocument-body');
    this.addWidget(renderer);
    await renderer.renderModel(
      new MimeModel({ data: { 'text/markdown': doc.markdown }, trusted: false })
    );
    this.node.dataset.rendered = 'true';
    return doc.title;
  }
}

export function activateHelp(
  app: JupyterFrontEnd,
  rendermime: IRenderMimeRegistry,
  translator: ITranslator,
  palette: ICommandPalette | null,
  mainMenu: IMainMenu | null,
  restorer: ILayoutRestorer | null
): WidgetTracker<MainAreaWidget<HelpDocument>> {
  const trans = translator.load(DOMAIN);
  const lang = helpLanguage(translator.languageCode);
  const tracker = new WidgetTracker<MainAreaWidget<HelpDocument>>({
    namespace: 'mo-help'
  });

  app.commands.addCommand(OPEN_HELP, {
    label: args =>
      isHelpName(args.name)
        ? helpLabel(trans, args.name)
        : trans.__('Mo Help Document'),
    caption: trans.__('Open this Mo help document'),
    icon: args => (args.isPalette ? undefined : markdownIcon),
    execute: async args => {
      const name = isHelpName(args.name) ? args.name : HELP_DOCS[0];
      const id = `mo-help-${name}`;
      const open = tracker.find(w => w.id === id);
      if (open) {
        app.shell.activateById(id);
        return open;
      }
      const content = new HelpDocument(name, lang, rendermime);
      const widget = new MainAreaWidget({ content });
      widget.id = id;
      widget.title.label = helpLabel(trans, name);
      widget.title.icon = markdownIcon;
      widget.title.closable = true;
      app.shell.add(widget, 'main');
      void tracker.add(widget);
      app.shell.activateById(id);
      try {
        widget.title.label = await content.load();
      } catch (err) {
        content.node.dataset.error = 'true';
        content.node.textContent = trans.__(
          'Cannot load the help document: %1',
          errorMessage(err)
        );
      }
      return widget;
    }
  });

  for (const name of HELP_DOCS) {
    palette?.addItem({
      command: OPEN_HELP,
      args: { name, isPalette: true },
      category: 'Mo'
    });
  }
  mainMenu?.helpMenu.addGroup(
    HELP_DOCS.map(name => ({ command: OPEN_HELP, args: { name } })),
    30
  );
  void restorer?.restore(tracker, {
    command: OPEN_HELP,
    args: w => ({ name: w.content.docName }),
    name: w => w.content.docName
  });
  return tracker;
}

/** The Help menu's Mo group and the palette's help commands. */
export const helpPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:help',
  description:
    'Mo help documents (memory tips, the dataset format standard) in the Help menu and the palette, in the UI language.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [ITranslator, ICommandPalette, IMainMenu, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    restorer: ILayoutRestorer | null
  ) => {
    activateHelp(
      app,
      rendermime,
      translator ?? nullTranslator,
      palette,
      mainMenu,
      restorer
    );
  }
};
