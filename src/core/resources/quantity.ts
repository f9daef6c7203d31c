/**
 * Kubernetes resource quantities (`250m`, `1.5`, `64Mi`, `1e3`, `12345678n`), as the API server writes them in
 * requests, limits, allocatable and metrics.k8s.io usage, and their display the way `kubectl top` prints them.
 * Pure functions: no I/O.
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** A quantity in base units (cores for CPU, bytes for memory), or undefined when it is not one. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return undefined;
  if (m[2]) return value * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? undefined : value * factor;
}

/** CPU in millicores (the unit `kubectl top` prints), rounded up as kubectl's `MilliValue()` does. */
export function cpuMillis(text: unknown): number | undefined {
  const cores = parseQuantity(text);
  if (cores === undefined) return undefined;
  // Round away the float noise of the suffix factors before rounding up (0.1 * 1e3 is 100.00000000000001).
  return Math.ceil(Number((cores * 1000).toPrecision(12)));
}

/** Memory in bytes, rounded up to a whole byte as kubectl's `Value()` does. */
export function memoryBytes(text: unknown): number | undefined {
  const bytes = parseQuantity(text);
  if (bytes === undefined) return undefined;
  return Math.ceil(Number(bytes.toPrecision(15)));
}

/** `12m`: CPU as `kubectl top` prints it. */
export function formatCpu(millis: number): string {
  return `${Math.round(millis)}m`;
}

/** `34Mi`: memory as `kubectl top` prints it (whole mebibytes, rounded down). */
export function formatMemory(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)}Mi`;
}

/** `usage` as a whole percentage of `of` (rounded down, as `kubectl top node`), or undefined without a base. */
export function percentOf(usage: number, of: number | undefined): number | undefined {
  if (of === undefined || !(of > 0)) return undefined;
  return Math.floor((usage * 100) / of);
}

/** CPU and memory of one thing: millicores and bytes. */
export interface Amounts {
  readonly cpu?: number;
  readonly memory?: number;
}

/**
 * The sum of the containers' requests (or limits) of a pod spec, per resource; a resource is left out when a
 * container does not set it (a percentage of a partial sum would mislead).
 */
export function sumContainerResources(containers: unknown, which: 'requests' | 'limits'): Amounts | undefined {
  if (!Array.isArray(containers) || containers.length === 0) return undefined;
  let cpu: number | undefined = 0;
  let memory: number | undefined = 0;
  for (const c of containers as { resources?: Record<string, Record<string, unknown> | undefined> }[]) {
    const set = c?.resources?.[which];
    const cm = cpuMillis(set?.cpu);
    const mb = memoryBytes(set?.memory);
    cpu = cpu === undefined || cm === undefined ? undefined : cpu + cm;
    memory = memory === undefined || mb === undefined ? undefined : memory + mb;
  }
  if (cpu === undefined && memory === undefined) return undefined;
  return { ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}) };
}
