// Every ProviderError message is redacted when it is built, whoever builds it (a provider, the runner wrapping a
// stray error, a custom provider): what it says about a failure reaches the database and every output.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProviderError } from "../../src/providers/types.js";

function assertClean(error: ProviderError, marker = "SENTINEL") {
  for (const text of [error.message, String(error), error.stack ?? ""]) {
    assert.ok(!text.includes(marker), `${marker} in: ${text}`);
  }
}

describe("ProviderError messages are redacted", () => {
  test("credentials in URLs, secret query values and bearer tokens, with no secret given", () => {
    const error = new ProviderError(
      "network",
      "connect to http://alice:PW-SENTINEL@proxy.example:8080/v1?api_key=Q1-SENTINEL&model=m&token=Q2-SENTINEL#x " +
        "failed; then GET https://h.example/path?key=Q3-SENTINEL&access_token=Q4-SENTINEL, " +
        "https://TOKEN-SENTINEL@git.example/repo and https://u:p@ss-SENTINEL@odd.example/ " +
        "(sent Authorization: Bearer tok-SENTINEL-1234; x-api-key=Q5-SENTINEL; key sk-abcdefSENTINEL99)",
    );
    assertClean(error);
    // What is not secret stays, so the message still says what happened.
    for (const kept of ["proxy.example:8080/v1", "model=m", "h.example/path", "git.example/repo", "Bearer"]) {
      assert.ok(error.message.includes(kept), `${kept} kept in: ${error.message}`);
    }
  });

  test("a given secret however it was echoed: as is, percent-encoded (either case), form- and JSON-escaped", () => {
    const secret = 'p@ss/w"rd+ü SENTINEL&=';
    const userinfo = new URL("http://host.example/");
    userinfo.password = secret;
    const forms = [
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      userinfo.password,
      new URLSearchParams({ k: secret }).toString().slice(2),
      JSON.stringify(secret),
      JSON.stringify({ echoed: secret }),
    ];
    for (const form of forms) {
      const error = new ProviderError("server", `HTTP 500: you sent ${form} (that is all)`, {
        secrets: [undefined, secret],
      });
      assertClean(error);
      assert.match(error.message, /^HTTP 500: you sent .*\[redacted\].* \(that is all\)$/);
    }
  });
});
