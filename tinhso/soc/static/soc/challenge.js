// The challenge page's proof-of-work (tinhso/soc/challenge.py): find n ≤ maxNumber with
// SHA-256(salt + n) = challenge, using the browser's SubtleCrypto, then send the ALTCHA
// payload (base64 JSON). Without SubtleCrypto (plain HTTP off localhost) the page's
// question form remains.
(function () {
  "use strict";
  var form = document.getElementById("soc-pow-form");
  var data = document.getElementById("soc-pow-challenge");
  if (!form || !data) return;
  var subtle = window.crypto && window.crypto.subtle;
  if (!subtle || !window.TextEncoder || !window.Promise) return;

  var challenge = JSON.parse(data.textContent);
  var status = document.getElementById("soc-pow-status");
  var progress = document.getElementById("soc-pow-progress");
  var encoder = new TextEncoder();
  var BATCH = 2000;
  form.hidden = false;
  status.textContent = form.dataset.working;

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function batch(start) {
    var end = Math.min(start + BATCH, challenge.maxNumber + 1);
    var jobs = [];
    for (var n = start; n < end; n++) {
      jobs.push(subtle.digest("SHA-256", encoder.encode(challenge.salt + n)));
    }
    return Promise.all(jobs).then(function (digests) {
      for (var i = 0; i < digests.length; i++) {
        if (hex(digests[i]) === challenge.challenge) return start + i;
      }
      if (end > challenge.maxNumber) return null;
      progress.value = Math.min(99, Math.round((100 * end) / (challenge.maxNumber + 1)));
      return batch(end);
    });
  }

  var started = performance.now();
  batch(0)
    .then(function (number) {
      if (number === null) throw new Error("not found");
      var payload = {
        algorithm: challenge.algorithm,
        challenge: challenge.challenge,
        number: number,
        salt: challenge.salt,
        signature: challenge.signature,
        took: Math.round(performance.now() - started)
      };
      form.elements.altcha.value = btoa(JSON.stringify(payload));
      progress.value = 100;
      status.textContent = form.dataset.done;
      form.dataset.took = String(payload.took);
      form.submit();
    })
    .catch(function () {
      status.textContent = form.dataset.failed;
    });
})();
