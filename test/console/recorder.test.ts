import { describe, expect, it } from 'vitest';
import { createRecorder } from '../../src/console/inspector/recorder.js';
import { ROUTES } from '../../src/config/defaults.js';
import { createEvents, type Exchange } from '../../src/util/events.js';

function recorder(limits: { maxSteps?: number; maxBytes?: number }) {
  const events = createEvents();
  let now = 1_000_000;
  const rec = createRecorder(events, {
    routes: { basePath: '', routes: ROUTES }, clock: { now: () => now }, lookupClient: async () => undefined, ...limits,
  });
  const send = (e: Partial<Exchange>) => {
    now += 10;
    events.emit('exchange', { at: now, method: 'POST', path: '/token', status: 200, ms: 1, clientId: 'svc', form: { grant_type: 'client_credentials' }, ...e });
  };
  return { rec, send, events };
}

describe('the recorder keeps memory bounded', () => {
  it('keeps the last maxSteps requests, and drops their flows with them', async () => {
    const { rec, send } = recorder({ maxSteps: 50 });
    for (let i = 0; i < 2000; i++) send({});
    const report = await rec.read();
    expect(report.steps).toHaveLength(50);
    expect(report.steps[0]!.seq).toBe(1951);
    expect(report.flows).toHaveLength(50);
    expect(report.dropped).toBe(1950);
    expect(report.last).toBe(2000);
  });

  it('keeps about maxBytes of requests, however large each is', async () => {
    const { rec, send } = recorder({ maxBytes: 20_000 });
    const big = 'x'.repeat(290);
    for (let i = 0; i < 500; i++) send({ form: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`p${k}`, big])) });
    const report = await rec.read();
    expect(JSON.stringify(report.steps).length).toBeLessThanOrEqual(20_000);
    expect(report.steps.length).toBeGreaterThan(2);
  });

  it('stops listening when closed, and forgets on clear', async () => {
    const { rec, send, events } = recorder({});
    send({});
    rec.clear();
    expect((await rec.read()).steps).toEqual([]);
    rec.close();
    expect(events.listening('exchange')).toBe(false);
  });
});
