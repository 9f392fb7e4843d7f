// Front-Channel Logout: once every application's logout iframe has loaded (or after 3 seconds),
// go on to the post-logout redirect URI. Without JavaScript the Continue link does the same.
const next = document.querySelector('a[data-continue]');
if (next) {
  const frames = [...document.querySelectorAll('iframe[data-logout-frame]')];
  let left = frames.length;
  const go = () => window.location.assign(next.href);
  for (const frame of frames) frame.addEventListener('load', () => { if (--left === 0) go(); });
  setTimeout(go, 3000);
}
