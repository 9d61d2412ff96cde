// The functions libjsonnet 0.18 lacks, on the inputs where a polyfill is easy to get wrong:
// NUL bytes (which a native callback cannot see past), Unicode case folding, hidden fields.
function(ctx)
  local email = ctx.identity.traits.email;
  {
    userId: std.sha256(email + '\u0000' + ctx.identity.id),
    traits: {
      email: std.trim(' ' + email + '\u0000 '),
      stripped: std.stripChars('\u0000' + email + '\u0000', '\u0000'),
      sha1: std.sha1('a\u0000b'),
      sha512: std.sha512('\u0000'),
      sha3: std.sha3('é\u0000'),
      dotted_i: std.equalsIgnoreCase('İ', 'i'),
      kelvin: std.equalsIgnoreCase('\u212a', 'k'),
      nul_fold: std.equalsIgnoreCase('A\u0000b', 'a\u0000B'),
      removed_key: std.objectFields(std.objectRemoveKey({ a: 1, b:: 2, c: 3 }, 'a')),
      removed_at: std.removeAt([0, 1, 2, 3], 1),
      removed: std.remove(['x', 'y', 'x'], 'x'),
      parsed: [std.parseInt('+42'), std.parseInt('-0'), std.parseInt('9007199254740993')],
    },
  }
