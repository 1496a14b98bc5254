/** The two small pages behind mail links (outside production) and their script. */
export function accountPage(kind: 'verify' | 'reset'): string {
  const body =
    kind === 'verify'
      ? `<h1>Confirm your e-mail address</h1>
<button id="go" type="button">Confirm my e-mail address</button>`
      : `<h1>Choose a new password</h1>
<label>New password (12–128 characters) <input id="password" type="password" autocomplete="new-password" minlength="12" maxlength="128"></label>
<button id="go" type="button">Set the new password</button>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>User Service</title></head>
<body data-kind="${kind}">
${body}
<p id="result" role="status"></p>
<script src="/account-pages.js"></script>
</body></html>`;
}

export const ACCOUNT_PAGES_SCRIPT = `'use strict';
(function () {
  var kind = document.body.dataset.kind;
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  history.replaceState(null, '', location.pathname);
  var result = document.getElementById('result');
  document.getElementById('go').addEventListener('click', function () {
    var url = kind === 'verify' ? '/auth/verify-email' : '/auth/password-reset/confirm';
    var body = { token: token };
    if (kind === 'reset') body.new_password = document.getElementById('password').value;
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { return { ok: res.ok, json: json }; }); })
      .then(function (r) {
        result.textContent = r.ok ? (r.json.message || 'Done.') : (r.json.detail || 'That did not work.');
      })
      .catch(function () { result.textContent = 'The service cannot be reached.'; });
  });
})();
`;
