/**
 * @module A container's environment as the kubelet builds it
 * (makeEnvironmentVariables in pkg/kubelet/kubelet_pods.go): envFrom first,
 * env over it in declared order with `$(VAR)` references expanded against
 * the variables declared so far and the service variables, then the service
 * variables the container did not set. Also the kubelet's expansion of
 * command and args (ExpandContainerCommandAndArgs), and the final process
 * environment (image ENV, then the container's, then what the runtime adds).
 */

export interface EnvVar {
  name: string;
  value: string;
}

/** The parts of a v1.EnvVar this module reads; valueFrom is resolved by the caller. */
export interface EnvVarSpec {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export interface MakeEnvironmentInput {
  /** container.env, in order. */
  env?: EnvVarSpec[];
  /** container.envFrom already flattened by the caller (ConfigMap/Secret keys with the prefix applied), in order. */
  envFrom?: EnvVar[];
  /** `{SVC}_SERVICE_HOST`, `{SVC}_PORT_...`: the service environment of the pod's namespace (empty when enableServiceLinks is false, except the master service). */
  serviceEnv?: Record<string, string>;
  /** Resolves a valueFrom (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef); may throw (CreateContainerConfigError). */
  resolveValueFrom?: (v: EnvVarSpec) => string | undefined;
}

/**
 * The kubelet's order: variables from envFrom and env (a later one with the
 * same name replaces the value and keeps the first position), then service
 * variables not already set. Values from valueFrom are not expanded; a
 * literal value is, against the variables so far and the service variables.
 */
export function makeEnvironment(input: MakeEnvironmentInput): EnvVar[] {
  const tmp = new Map<string, string>();
  for (const e of input.envFrom ?? []) tmp.set(e.name, e.value);
  const service = input.serviceEnv ?? {};
  const lookup = (name: string): string | undefined => (tmp.has(name) ? tmp.get(name) : Object.hasOwn(service, name) ? service[name] : undefined);
  for (const e of input.env ?? []) {
    let value = e.value ?? '';
    if (value !== '') value = expand(value, lookup);
    else if (e.valueFrom !== undefined && input.resolveValueFrom) value = input.resolveValueFrom(e) ?? '';
    tmp.set(e.name, value);
  }
  const out: EnvVar[] = [...tmp].map(([name, value]) => ({ name, value }));
  for (const [name, value] of Object.entries(service)) if (!tmp.has(name)) out.push({ name, value });
  return out;
}

/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion):
 * `$(NAME)` becomes the value, or stays as written when NAME is unknown;
 * `$$` is a literal `$` (so `$$(NAME)` is the text `$(NAME)`); any other
 * `$` stays; an unclosed `$(` stays.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close >= 0) {
        const name = input.slice(cursor + 2, close);
        const v = lookup(name);
        out += v === undefined ? `$(${name})` : v;
        advance = close - cursor;
      } else {
        out += '$(';
      }
    } else {
      out += `$${next}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** ExpandContainerCommandAndArgs: command and args expanded against the container's final environment. */
export function expandCommandAndArgs(container: { command?: string[]; args?: string[] }, env: EnvVar[]): { command?: string[]; args?: string[] } {
  const map = new Map(env.map((e) => [e.name, e.value]));
  const lookup = (n: string) => map.get(n);
  const out: { command?: string[]; args?: string[] } = {};
  if (container.command) out.command = container.command.map((c) => expand(c, lookup));
  if (container.args) out.args = container.args.map((a) => expand(a, lookup));
  return out;
}

/**
 * The environment the process gets, as containerd assembles it: the image's
 * ENV, the container's variables over it, then HOSTNAME and (with a tty)
 * TERM=xterm unless set. Nothing comes from the agent's own environment.
 */
export function processEnvironment(imageEnv: Record<string, string> | undefined, env: EnvVar[], opts: { hostname?: string; tty?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = { ...imageEnv };
  if (opts.hostname) out.HOSTNAME = opts.hostname;
  if (opts.tty) out.TERM = 'xterm';
  for (const e of env) out[e.name] = e.value;
  if (!out.HOME) out.HOME = '/root';
  return out;
}
