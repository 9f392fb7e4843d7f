// Form Post Response Mode: send the authorization response on to the application at once.
// Without JavaScript the page shows a Continue button that does the same.
for (const form of document.querySelectorAll('form[data-autosubmit]')) form.submit();
