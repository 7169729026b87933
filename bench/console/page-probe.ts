import type { Page } from 'playwright-core';

/** What the probe saw in the page while it recorded. */
export interface PageRecording {
  /** Gaps between animation frames, ms. */
  frameGapsMs: number[];
  /** Durations of the main thread's long tasks (over 50 ms), ms. */
  longTasksMs: number[];
  /** From an input's timestamp to the end of the first frame after its handlers: what the person waits to see a response. */
  inputs: Array<{ kind: string; latencyMs: number }>;
  /** Elements inside the list, and in the whole document, sampled twice a second. */
  listNodes: number[];
  documentNodes: number[];
  recordedMs: number;
}

/**
 * Installed before the console's own scripts (over the DevTools protocol, so
 * the page's Content-Security-Policy does not apply). Plain JavaScript: it
 * runs in the page, whose globals the bench's types do not know.
 * An input's latency ends after the frame that follows its handlers has been
 * produced: a message posted from that frame's requestAnimationFrame runs
 * once the frame's style, layout and paint are done.
 */
const PROBE_SCRIPT = `(() => {
  const probe = { recording: false, startedAt: 0, stoppedAt: 0, frameGapsMs: [], longTasksMs: [], inputs: [], listNodes: [], documentNodes: [] };
  window.__consoleBench = probe;
  probe.start = () => {
    Object.assign(probe, { recording: true, startedAt: performance.now(), frameGapsMs: [], longTasksMs: [], inputs: [], listNodes: [], documentNodes: [] });
  };
  probe.stop = () => {
    probe.recording = false;
    probe.stoppedAt = performance.now();
    const { frameGapsMs, longTasksMs, inputs, listNodes, documentNodes } = probe;
    return { frameGapsMs, longTasksMs, inputs, listNodes, documentNodes, recordedMs: probe.stoppedAt - probe.startedAt };
  };
  new PerformanceObserver((list) => {
    if (probe.recording) for (const entry of list.getEntries()) probe.longTasksMs.push(entry.duration);
  }).observe({ type: 'longtask' });
  let lastFrame;
  let lastSample = 0;
  const frame = (time) => {
    if (probe.recording) {
      if (lastFrame !== undefined) probe.frameGapsMs.push(time - lastFrame);
      if (time - lastSample >= 500) {
        lastSample = time;
        const list = document.querySelector('[role=listbox]');
        probe.listNodes.push(list ? list.getElementsByTagName('*').length : 0);
        probe.documentNodes.push(document.getElementsByTagName('*').length);
      }
    }
    lastFrame = time;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const afterNextFrame = (then) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = then;
    channel.port2.postMessage(null);
  });
  for (const kind of ['click', 'keydown']) {
    document.addEventListener(kind, (event) => {
      if (!probe.recording) return;
      const at = event.timeStamp;
      // The frame asked for here comes after every handler of this event and the render they queued (a microtask).
      afterNextFrame(() => probe.inputs.push({ kind, latencyMs: performance.now() - at }));
    }, true);
  }
})();`;

export async function installProbe(page: Page): Promise<void> {
  await page.addInitScript({ content: PROBE_SCRIPT });
}

export async function startRecording(page: Page): Promise<void> {
  await page.evaluate('window.__consoleBench.start()');
}

export async function stopRecording(page: Page): Promise<PageRecording> {
  return (await page.evaluate('window.__consoleBench.stop()')) as PageRecording;
}
