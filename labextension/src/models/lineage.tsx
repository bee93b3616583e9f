/**
 * A model's lineage: the job that wrote it (a link, or "deleted"), its
 * code, arguments and the other facts recorded when the model was made,
 * the training task, the module and the datasets, each a link to its tab.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { CatalogCommandIDs } from '../catalog/ids';
import { Badge } from '../catalog/search';
import { formatTime } from '../jobs/format';
import { CommandIDs } from '../tokens';
import { IModelRecord } from './api';
import { jobFactRows, shortSha, versioned } from './format';

/** Whether the job that wrote the model still exists. */
export type JobPresence = 'none' | 'checking' | 'present' | 'deleted';

/** A button that reads as a link and runs a command. */
function CommandLink(props: {
  commands: CommandRegistry;
  command: string;
  args: { [key: string]: string | number };
  className: string;
  children: React.ReactNode;
  title?: string;
}): JSX.Element {
  const { commands, command, args } = props;
  if (!commands.hasCommand(command)) {
    return <span className={props.className}>{props.children}</span>;
  }
  return (
    <button
      className={`mo-Link ${props.className}`}
      title={props.title}
      onClick={() => void commands.execute(command, args)}
    >
      {props.children}
    </button>
  );
}

/** A two-column table of [label, value] rows. */
export function FactTable(props: {
  rows: [string, React.ReactNode][];
  className: string;
  code?: boolean;
}): JSX.Element {
  return (
    <table className={`mo-Table mo-FactTable ${props.className}`}>
      <tbody>
        {props.rows.map(([k, v]) => (
          <tr key={k} data-field={k}>
            <th className={props.code ? 'mo-FactTable-code' : undefined}>
              {k}
            </th>
            <td className={props.code ? 'mo-FactTable-code' : undefined}>
              {v}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Lineage(props: {
  record: IModelRecord;
  job: JobPresence;
  trans: TranslationBundle;
  commands: CommandRegistry;
}): JSX.Element {
  const { record: r, trans, commands } = props;
  const lineage = r.lineage ?? ({} as IModelRecord['lineage']);
  const job = lineage.job;
  const rows: [string, React.ReactNode][] = [];
  if (job) {
    const label = job.name ? `${job.name} (${job.id})` : job.id;
    rows.push([
      trans.__('Job'),
      props.job === 'deleted' ? (
        <span className="mo-ModelLineage-job" data-job-id={job.id}>
          {label}{' '}
          <Badge
            kind="deleted"
            value="deleted"
            label={trans.__('deleted')}
            title={trans.__(
              'The job was deleted; what it recorded is kept with the model.'
            )}
          />
        </span>
      ) : (
        <CommandLink
          commands={commands}
          command={CommandIDs.openJob}
          args={{ id: job.id }}
          className="mo-ModelLineage-job"
          title={trans.__('Open job %1', job.id)}
        >
          {label}
        </CommandLink>
      )
    ]);
    if (job.path) {
      rows.push([
        trans.__('Code'),
        <span className="mo-ModelLineage-code">
          {job.path}
          {job.code_sha256 && (
            <span className="mo-ModelLineage-sha" title={job.code_sha256}>
              {' '}
              sha256 {shortSha(job.code_sha256)}
            </span>
          )}
        </span>
      ]);
    }
  }
  if (job && job.args && job.args.length) {
    rows.push([
      trans.__('Arguments'),
      <code className="mo-ModelLineage-args">{job.args.join(' ')}</code>
    ]);
  }
  if (job) {
    rows.push(...jobFactRows(trans, job, formatTime));
  }
  if (lineage.task) {
    rows.push([
      trans.__('Training task'),
      <CommandLink
        commands={commands}
        command="mo:open-task"
        args={{ id: lineage.task.id }}
        className="mo-ModelLineage-task"
      >
        {lineage.task.name || lineage.task.id}
      </CommandLink>
    ]);
  }
  if (lineage.module) {
    rows.push([
      trans.__('Module'),
      <CommandLink
        commands={commands}
        command={CatalogCommandIDs.openModule}
        args={{
          id: lineage.module.id,
          ...(lineage.module.version ? { version: lineage.module.version } : {})
        }}
        className="mo-ModelLineage-module"
        title={trans.__('Open module %1', lineage.module.id)}
      >
        {versioned(lineage.module)}
      </CommandLink>
    ]);
  }
  if (lineage.datasets && lineage.datasets.length) {
    rows.push([
      trans.__('Datasets'),
      <span className="mo-ModelLineage-datasets">
        {lineage.datasets.map((d, i) => (
          <React.Fragment key={d.id}>
            {i > 0 && ', '}
            <CommandLink
              commands={commands}
              command={CatalogCommandIDs.openDataset}
              args={{ id: d.id }}
              className="mo-ModelLineage-dataset"
              title={trans.__('Open dataset %1', d.id)}
            >
              {versioned(d)}
            </CommandLink>
          </React.Fragment>
        ))}
      </span>
    ]);
  }
  if (rows.length === 0) {
    return (
      <div className="mo-Catalog-empty">
        {r.source === 'manual'
          ? trans.__(
              'Registered by hand: no job, module or dataset is recorded for it.'
            )
          : trans.__('No lineage was recorded for this model.')}
      </div>
    );
  }
  return <FactTable rows={rows} className="mo-ModelLineage-table" />;
}
