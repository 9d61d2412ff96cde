// Pseudonymous ids: hashes of the identity id and the e-mail address.
function(ctx) {
  userId: std.sha256(ctx.identity.id),
  anonymousId: std.md5(std.asciiLower(ctx.identity.traits.email)),
  traits: {
    emailSha1: std.sha1(ctx.identity.traits.email),
    emailSha512: std.sha512(ctx.identity.traits.email),
    emailSha3: std.sha3(ctx.identity.traits.email),
    short: std.substr(std.sha256(ctx.identity.id), 0, 12),
    b64: std.base64(ctx.identity.id),
    b64Back: std.base64Decode(std.base64(ctx.identity.id)),
    bytes: std.base64DecodeBytes(std.base64('ok')),
  },
}
