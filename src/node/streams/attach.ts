/**
 * @module `kubectl attach` (and `kubectl run -it`): connects the session to
 * the container's main process through the kubelet's PodRuntimeView. Like
 * CRI attach, the session ends with Success when the process exits, and
 * detaching leaves the process running (closing its stdin with stdinOnce).
 */
import { internalErrorStatus, STDERR, STDOUT, successStatus } from './channel.ts';
import type { StdioRequest } from './exec.ts';
import type { ChannelSession } from './session.ts';
import type { ContainerView } from './types.ts';

export function runAttach(view: ContainerView, req: StdioRequest, session: ChannelSession): void {
  if (!view.running()) {
    session.finish(internalErrorStatus(`error attaching to container: container "${view.containerName}" in pod "${view.pod.name}" is not running`));
    return;
  }
  let done = false;
  const stdin = req.stdin ? view.stdin : undefined;
  const closeStdinOnce = () => {
    if (stdin && view.stdinOnce && !stdin.writableEnded) stdin.end();
  };
  let unsubscribe = () => {};
  unsubscribe = view.subscribe({
    output(stream, chunk) {
      const channel = view.tty || stream === 'stdout' ? STDOUT : STDERR;
      if (channel === STDOUT ? req.stdout : req.stderr) session.send(channel, chunk);
    },
    exit() {
      if (done) return;
      done = true;
      unsubscribe();
      session.finish(successStatus());
    },
  });
  if (done) unsubscribe(); // the process ended while subscribing
  if (stdin) {
    session.onStdin = (data) => {
      if (stdin.writableEnded) return;
      if (!stdin.write(data)) {
        session.pauseInput();
        stdin.once('drain', () => session.resumeInput());
      }
    };
    session.onStdinClose = closeStdinOnce;
  }
  session.onResize = (size) => view.resize?.(size);
  session.onClose = () => {
    done = true;
    unsubscribe();
    closeStdinOnce();
  };
}
