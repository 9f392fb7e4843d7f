// Progressive enhancement only: every page works without this file.
// Ignore repeat submits (a double click would otherwise replay a one-time CSRF token or code).
// The submitter is not disabled, because a disabled button's name=value would drop out of the form data.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.getAttribute('aria-busy') === 'true') {
    event.preventDefault();
    return;
  }
  form.setAttribute('aria-busy', 'true');
  // If the user comes back via the back/forward cache, let them submit again.
  window.addEventListener('pageshow', () => form.removeAttribute('aria-busy'), { once: true });
});
