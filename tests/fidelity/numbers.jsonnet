// Number formatting the way templates do it: counts, ratios, percentages, fixed decimals.
function(ctx)
  local addrs = std.get(ctx.identity, 'verifiable_addresses', []);
  local verified = std.length([a for a in addrs if a.verified]);
  local ratio = if std.length(addrs) == 0 then 0 else verified / std.length(addrs);
  {
    userId: ctx.identity.id,
    traits: {
      addresses: std.length(addrs),
      verifiedRatio: ratio,
      percent: '%d%%' % std.floor(ratio * 100),
      fixed: '%.2f' % (ratio * 3.14159),
      sci: '%e' % 12345.678,
      general: ['%g' % x for x in [0.0001, 123456789, 1.5, 100, 0]],
      minified: std.manifestJsonMinified({ tenth: 0.1, small: 1e-7, big: 1e21 }),
      rounded: std.round(2.5),
      half: std.round(-2.5),
      big: 1e21,
      small: 1e-7,
      tenth: 0.1,
      third: 1 / 3,
      neg: -0.0,
      int: std.parseInt('42'),
      hex: std.parseHex('ff'),
      octal: std.parseOctal('17'),
      mod: 7 % 3,
      pow: std.pow(2, 10),
    },
  }
