// The std functions this engine runs natively or without std.equals, against go-jsonnet:
// std.prune, std.format's %s, `==` and `%`, std.map, the std.isX tests and the manifesters.
function(ctx)
  local t = ctx.identity.traits;
  local name = std.get(t, 'name');
  {
    userId: ctx.identity.id,
    traits: {
      pruned: std.prune({
        email: t.email,
        name: name,
        none: null,
        emptyList: [],
        emptyObject: {},
        nested: { a: null, b: [null, [], {}, [null]], c: { d: {} } },
        kept: [0, false, '', -0, 1e-7, 12345678901234567890, 'x\u0000y'],
        hidden:: 'not kept',
        unicode: 'Ada — λ 😀',
      }),
      prunedTop: [std.prune(null), std.prune([]), std.prune({}), std.prune('s'), std.prune(0)],
      prunedNul: std.prune({ a: 'x\u0000', b: null }),
      formatted: [
        '%s <%s>' % [name, t.email],
        'id %s' % ctx.identity.id,
        '100%% %s' % true,
        '%s|%s|%s|%s' % [null, 1.5, [1, 'a'], { b: 1, a: [] }],
        'nul %s' % 'a\u0000b',
        '%5s|%-3s|%d|%05.1f' % ['ab', 'c', 42, 3.14159],
        '%(email)s' % t,
        std.format('%s-%s', ['a', 'b']),
        'no codes' % [],
        'a%sb' % [[]],
      ],
      equal: [1 == 1, 1 == 1.0, 0 == -0, 'a' == 'a', 'a' == 'b', null == null, null == false,
              [1, [2]] == [1, [2]], { a: 1 } == { a: 1, b:: 2 }, 1 != '1', true != false],
      modulo: [7 % 3, -7 % 3, 7.5 % 2, 5 % -3],
      types: [std.isString('a'), std.isNumber(1), std.isBoolean(false), std.isArray([]),
              std.isObject({}), std.isFunction(function() 1), std.isString(null)],
      mapped: [std.map(function(x) x * 2, [1, 2, 3]), std.map(function(c) c + '.', 'ab')],
      json: std.manifestJsonEx({ a: [1, { b: null }], c: 'x\u0000' }, '  '),
      yaml: std.manifestYamlDoc({ a: [1, 'x'], b: { c: true } }),
      minified: std.manifestJsonMinified([1.5, 'é', {}]),
      consent: std.get(t, 'consent', {}),
    },
  }
