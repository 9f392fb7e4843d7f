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

// Login: the "keep me signed in" box also applies to the one-click user cards (their form has a
// hidden remember=1 that is sent unless the box is unticked).
for (const box of document.querySelectorAll('input[data-remember]')) {
  const sync = () => {
    for (const mirror of document.querySelectorAll('input[data-remember-mirror]')) mirror.disabled = !box.checked;
  };
  box.addEventListener('change', sync);
  sync();
}

// Copy buttons next to [data-copy] values. Without script the values are plain selectable text.
const COPY_ICON = '<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true"><rect x="7" y="7" width="10" height="10" rx="2" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M13 4.5A1.5 1.5 0 0 0 11.5 3h-7A1.5 1.5 0 0 0 3 4.5v7A1.5 1.5 0 0 0 4.5 13" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>';
const DONE_ICON = '<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true"><path d="m5 10.5 3 3 7-7" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>';
let status;

function announce(text) {
  if (!status) {
    status = document.createElement('div');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    document.body.append(status);
  }
  status.textContent = '';
  setTimeout(() => { status.textContent = text; }, 30);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

for (const el of document.querySelectorAll('[data-copy]')) {
  const value = el.getAttribute('data-copy') || el.textContent.trim();
  const wrap = document.createElement('span');
  wrap.className = 'copy-wrap';
  el.replaceWith(wrap);
  wrap.append(el);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy';
  button.innerHTML = COPY_ICON;
  const what = el.getAttribute('data-copy-label') || (value.length > 80 ? 'value' : value);
  button.setAttribute('aria-label', `Copy ${what}`);
  button.title = 'Copy';
  button.addEventListener('click', async () => {
    if (await copyText(value)) {
      button.innerHTML = DONE_ICON;
      button.setAttribute('data-copied', '');
      announce('Copied to the clipboard');
      setTimeout(() => {
        button.innerHTML = COPY_ICON;
        button.removeAttribute('data-copied');
      }, 1500);
    } else {
      // No clipboard access (e.g. a non-secure origin): select the text so Ctrl+C works.
      const range = document.createRange();
      range.selectNodeContents(el);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      announce('Selected: press Ctrl+C or Cmd+C to copy');
    }
  });
  wrap.append(button);
}

// Device user codes: upper case, letters only (as the server compares them), grouped as XXXX-XXXX while typing.
// A pasted verification_uri_complete (…?user_code=…) is reduced to its code.
function formatUserCode(raw) {
  let text = raw;
  const fromUrl = /[?&]user_code=([^&#\s]+)/i.exec(text);
  if (fromUrl) text = decodeURIComponent(fromUrl[1]);
  const chars = text.toUpperCase().replace(/[^A-Z]/g, '');
  return chars.replace(/(.{4})(?=.)/g, '$1-');
}

for (const input of document.querySelectorAll('input[data-user-code]')) {
  input.addEventListener('input', () => {
    const atEnd = input.selectionStart === input.value.length;
    const formatted = formatUserCode(input.value);
    if (formatted !== input.value) {
      input.value = formatted;
      if (atEnd) input.setSelectionRange(formatted.length, formatted.length);
    }
  });
  input.addEventListener('paste', (event) => {
    const pasted = event.clipboardData && event.clipboardData.getData('text');
    if (!pasted) return;
    event.preventDefault();
    input.value = formatUserCode(input.value.slice(0, input.selectionStart) + pasted + input.value.slice(input.selectionEnd));
  });
  if (input.value) input.value = formatUserCode(input.value);
}
