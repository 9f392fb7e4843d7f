import type { Middleware, Provider } from '../../provider/context.js';
import { pageSecurityHeaders } from '../../provider/middleware/security-headers.js';
import type { Recorder } from './recorder.js';
import { inspectorPanel, timelineHtml } from './timeline-html.js';

/**
 * GET <base>/inspector — the flow inspector on a page of its own; `?fragment=1` is just the
 * timeline, which inspector.js fetches to refresh the home page's panel without a reload.
 */
export function inspectorPage(op: Provider, recorder: Recorder): Middleware[] {
  return [
    pageSecurityHeaders,
    async function renderInspector(ctx) {
      const report = await recorder.read();
      const { issuer, basePath } = op.config;
      ctx.type = 'html';
      if (ctx.query.fragment === '1') {
        ctx.body = timelineHtml(report, issuer, basePath).value;
        return;
      }
      ctx.body = await op.views.render('inspector', { title: 'Flow inspector', panel: inspectorPanel(report, issuer, basePath) });
    },
  ];
}
