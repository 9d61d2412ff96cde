// String slicing and searching: domains, masks, prefixes.
function(ctx)
  local email = ctx.identity.traits.email;
  local at = std.findSubstr('@', email);
  local domain = if std.length(at) > 0 then email[at[0] + 1:] else '';
  {
    userId: ctx.identity.id,
    traits: {
      domain: domain,
      'local': email[:at[0]],
      last3: email[std.length(email) - 3:],
      lastThree: email[-3:],
      masked: email[0] + '***' + email[at[0]:],
      tld: std.split(domain, '.')[std.length(std.split(domain, '.')) - 1],
      reversed: std.join('', std.reverse(std.stringChars(domain))),
      every2: email[::2],
      upper: std.asciiUpper(domain),
      replaced: std.strReplace(email, '.', '[dot]'),
      lstrip: std.lstripChars('xxabc', 'x'),
      rstrip: std.rstripChars('abcyy', 'y'),
      codepoints: [std.codepoint(c) for c in std.stringChars('Ada')],
      chars: std.char(955),
      escaped: std.escapeStringJson('say "hi"\n'),
      splitLimit: std.splitLimit('a,b,c', ',', 1),
      splitMulti: std.split('a::b::c', '::'),
      splitLimitR: std.splitLimitR('a,b,c', ',', 1),
      isEmpty: std.isEmpty(''),
      trimmed: std.trim('  x  '),
      format: std.format('%s <%s>', [std.get(ctx.identity.traits, 'name', ''), email]),
    },
  }
