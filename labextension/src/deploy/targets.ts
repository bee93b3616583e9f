/**
 * Where a service can run: the local backend (processes on this machine) and
 * each machine type of the docker backend (an image with its limits, e.g. the
 * TensorFlow `cpu` image a Keras model needs), from the jobs' GET config.
 */
import type { IConfig } from '../api';

export interface ITarget {
  value: string; // "local" or "docker/<machine>"
  label: string;
  backend: string;
  machine?: string;
}

/** Service backends: local, docker and swarm (each enabled job backend's machine types). */
const SERVICE_BACKENDS = ['local', 'docker', 'swarm'];

export function serviceTargets(
  config: IConfig | null,
  localLabel: string
): ITarget[] {
  const out: ITarget[] = [
    { value: 'local', label: localLabel, backend: 'local' }
  ];
  for (const backend of config?.backends ?? []) {
    if (backend === 'local' || !SERVICE_BACKENDS.includes(backend)) {
      continue;
    }
    for (const m of config?.backend_machines?.[backend] ?? []) {
      if (m.available === false) {
        continue;
      }
      out.push({
        value: `${backend}/${m.name}`,
        label: `${backend} · ${m.name}${m.image ? ` (${m.image})` : ''}`,
        backend,
        machine: m.name
      });
    }
  }
  return out;
}
