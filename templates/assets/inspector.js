// Progressive enhancement: the flow inspector's panel is complete without this file; with it,
// the timeline refreshes every few seconds (while the tab is visible) without reloading the page.
for (const panel of document.querySelectorAll('[data-inspector]')) {
  const src = panel.getAttribute('data-src');
  let busy = false;
  setInterval(async () => {
    if (busy || document.hidden || !src) return;
    busy = true;
    try {
      const res = await fetch(src, { credentials: 'same-origin', cache: 'no-store' });
      if (res.ok) {
        const html = await res.text();
        const next = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-inspector]');
        if (next) panel.innerHTML = next.innerHTML;
      }
    } finally {
      busy = false;
    }
  }, 3000);
}
