// Values whose text form is easy to get wrong: escapes, unicode, nesting, empty containers.
function(ctx) {
  userId: ctx.identity.id,
  traits: {
    quote: 'say "hi"',
    backslash: 'a\\b',
    tab: 'a\tb',
    unicode: 'Ada — λ ✓ 😀',
    control: '\u0001\u001f',
    separator: 'line\u2028sep\u2029',
    empty: {},
    emptyList: [],
    nested: { a: [1, { b: null }], c: true },
    json: std.manifestJsonMinified({ a: [1, 2], b: 'x' }),
    jsonEx: std.manifestJsonEx({ a: [1, 0.5] }, '  '),
    yaml: std.manifestYamlDoc({ a: [1, 'x'] }),
    toString: std.toString([1, 'a', null]),
    numbers: [0, -1, 1.5, 1e100, 123456789012],
  },
}
