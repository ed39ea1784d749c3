/**
 * @module The kubelet's side of the stream server's contract
 * (`PodRuntimeView`, src/node/streams/types.ts): pods and containers this
 * node runs, their sandbox, log files, main process (for attach) and
 * environment (for exec). Built from the kubelet's pod workers; holds no
 * state of its own.
 */
import { existsSync } from 'node:fs';
import { StreamError, type ContainerView, type OutputListener, type PodRuntimeView, type PodView } from '../streams/types.ts';
import type { Kubelet } from './kubelet.ts';
import type { PodWorker } from './pod-worker.ts';

function podView(w: PodWorker): PodView | undefined {
  const sandbox = w.sandbox;
  if (!sandbox) return undefined;
  return { namespace: w.pod.metadata.namespace ?? 'default', name: w.pod.metadata.name!, uid: w.uid, sandbox };
}

export function kubeletRuntimeView(kubelet: Kubelet): PodRuntimeView {
  return {
    findPod(namespace, pod) {
      const w = kubelet.worker(namespace, pod);
      return w && podView(w);
    },
    findContainer(namespace, pod, container) {
      const w = kubelet.worker(namespace, pod);
      if (!w) return undefined;
      const spec = [...(w.pod.spec?.initContainers ?? []), ...(w.pod.spec?.containers ?? [])].find((c: any) => c.name === container);
      if (!spec) return undefined;
      const cw = w.containers().find((c) => c.name === container);
      const info = cw?.info();
      const logPath = cw?.logPath();
      if (!cw || !info || !logPath || !existsSync(logPath)) {
        const reason = info && 'waiting' in info.state ? info.state.waiting.reason : 'ContainerCreating';
        throw new StreamError('BAD_REQUEST', `container "${container}" in pod "${pod}" is waiting to start: ${reason}`);
      }
      const previous = info.restartCount > 0 ? cw.logPath(info.restartCount - 1) : undefined;
      // A completed pod has no sandbox any more; its logs can still be read.
      const sandbox = w.sandbox ?? { id: '', podIP: '', pausePid: 0, dir: '', enterPrefix: () => [] };
      const view: ContainerView = {
        pod: podView(w) ?? { namespace, name: pod, uid: w.uid, sandbox },
        sandbox,
        containerName: container,
        logPath,
        ...(previous && existsSync(previous) ? { previousLogPath: previous } : {}),
        running: () => cw.running(),
        tty: spec.tty === true,
        stdin: cw.current()?.stdin ?? undefined,
        stdinOnce: spec.stdinOnce === true,
        subscribe(listener: OutputListener) {
          const rc = cw.current();
          if (!rc) {
            queueMicrotask(() => listener.exit(info.state && 'terminated' in info.state ? info.state.terminated.exitCode : null));
            return () => {};
          }
          const out = (c: Buffer) => listener.output('stdout', c);
          const err = (c: Buffer) => listener.output(spec.tty ? 'stdout' : 'stderr', c);
          rc.child.stdout?.on('data', out);
          rc.child.stderr?.on('data', err);
          let live = true;
          void rc.exited.then((s) => live && listener.exit(s.signal ? null : s.exitCode));
          return () => {
            live = false;
            rc.child.stdout?.off('data', out);
            rc.child.stderr?.off('data', err);
          };
        },
        env: cw.env(),
        workingDir: spec.workingDir,
      };
      return view;
    },
  };
}
