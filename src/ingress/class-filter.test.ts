/** Class selection: ingressClassName, legacy annotation, default class appearing later. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyIngress, filterIngresses } from './class-filter.ts';
import { ingress, ingressClass } from './fixtures.ts';

const opts = { ingressClass: 'nginx', controllerClass: 'k8s.io/ingress-nginx' };

test('spec.ingressClassName naming an IngressClass of ours is ours; of another controller or missing is not', () => {
  const classes = [ingressClass('nginx'), ingressClass('traefik', 'traefik.io/ingress-controller'), ingressClass('internal')];
  assert.equal(classifyIngress(ingress('a', { className: 'nginx' }), classes, opts).ours, true);
  assert.equal(classifyIngress(ingress('b', { className: 'internal' }), classes, opts).ours, true, 'any class whose controller is ours');
  assert.equal(classifyIngress(ingress('c', { className: 'traefik' }), classes, opts).ours, false);
  assert.equal(classifyIngress(ingress('d', { className: 'nosuch' }), classes, opts).ours, false);
});

test('legacy annotation kubernetes.io/ingress.class: nginx is ours, other values are not, and it wins over the class name', () => {
  const classes = [ingressClass('nginx')];
  assert.equal(classifyIngress(ingress('a', { annotations: { 'kubernetes.io/ingress.class': 'nginx' } }), [], opts).ours, true);
  assert.equal(classifyIngress(ingress('b', { annotations: { 'kubernetes.io/ingress.class': 'traefik' } }), classes, opts).ours, false);
  assert.equal(classifyIngress(ingress('c', { annotations: { 'kubernetes.io/ingress.class': 'traefik' }, className: 'nginx' }), classes, opts).ours, false);
});

test('class-less Ingress: ignored until an IngressClass of ours is marked default, then ours', () => {
  const ing = ingress('minimal-ingress');
  assert.equal(classifyIngress(ing, [ingressClass('nginx')], opts).ours, false, 'before: no default class');
  assert.equal(classifyIngress(ing, [ingressClass('other', 'example.com/ctl', true)], opts).ours, false, 'a default class of another controller');
  const after = classifyIngress(ing, [ingressClass('nginx', 'k8s.io/ingress-nginx', true)], opts);
  assert.deepEqual([after.ours, after.className], [true, 'nginx']);
});

test('filterIngresses keeps input order', () => {
  const all = [ingress('x', { className: 'nginx' }), ingress('y', { className: 'other' }), ingress('z', { annotations: { 'kubernetes.io/ingress.class': 'nginx' } })];
  assert.deepEqual(filterIngresses(all, [ingressClass('nginx')], opts).map((i) => i.metadata.name), ['x', 'z']);
});
