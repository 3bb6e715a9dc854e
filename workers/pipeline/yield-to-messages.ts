// A step of the pipeline is one long synchronous ORT call, and the awaits between steps resolve as
// microtasks: without a real task boundary the worker would not read its messages (a cancel, a newer
// request) until the whole image is done. Between steps the pipeline yields to the message loop with a
// MessageChannel round trip: a message task, queued behind the messages that arrived during the step
// (same task source, first in first out), without setTimeout's minimum delay on every step.
// scheduler.yield() is not used: its continuation may run ahead of waiting messages.

let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

export function yieldToMessages(): Promise<void> {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
    // Node's ports keep the process alive while listened to; the worker's never need to end.
    (channel.port1 as { unref?: () => void }).unref?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel!.port2.postMessage(null);
  });
}
