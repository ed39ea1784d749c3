import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorText } from '../field-errors.ts';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNSSubdomain,
  pathSegmentName,
  validateCIDR,
  validateDomainPrefixedPath,
  validateIP,
  validateNonSpecialIP,
} from './names.ts';

const label1123 =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('DNS-1123 label: upstream text with its double space', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('Bad_Name'), [label1123]);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('DNS-1123 subdomain and DNS-1035 label', () => {
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('-x'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isDNS1035Label('1abc'), [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isWildcardDNS1123Subdomain('*.whale.hey'), []);
  assert.equal(isWildcardDNS1123Subdomain('a.*.hey').length, 1);
});

test('generateName prefixes may end in a dash (maskTrailingDash)', () => {
  assert.deepEqual(nameIsDNSSubdomain('my-nginx-', true), []);
  assert.equal(nameIsDNSSubdomain('my-nginx-', false).length, 1);
  assert.deepEqual(pathSegmentName('a/b', false), ["may not contain '/'"]);
  assert.deepEqual(pathSegmentName('..', false), ["may not be '..'"]);
});

test('qualified names and label values', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('-bad'), [
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('a/b/c')[0].startsWith("a qualified name must consist of alphanumeric characters, '-', '_' or '.'"), true);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('bad value'), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});

test('port numbers and IANA service names', () => {
  assert.deepEqual(isValidPortNum(80), []);
  assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('HTTP'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('-web'), ['must not begin or end with a hyphen']);
  assert.deepEqual(isValidPortName('a-very-long-port-name'), ['must be no more than 15 characters']);
});

test('env var names (relaxed in 1.32) and config keys', () => {
  assert.deepEqual(isRelaxedEnvVarName('1_STARTS_WITH_DIGIT.ok'), []);
  assert.deepEqual(isRelaxedEnvVarName('A=B'), ["a valid environment variable name must consist only of printable ASCII characters other than '='"]);
  assert.deepEqual(isConfigMapKey('game.properties'), []);
  assert.deepEqual(isConfigMapKey('a b'), [
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  assert.deepEqual(isConfigMapKey('..data'), ["must not start with '..'"]);
});

test('IP and CIDR checks accept what ParseIPSloppy accepts', () => {
  assert.deepEqual(validateIP('x', '10.96.0.10'), []);
  assert.deepEqual(validateIP('x', '010.096.000.010'), []);
  assert.deepEqual(validateIP('x', '2001:db8::1'), []);
  assert.deepEqual(validateIP('spec.clusterIP', '10.96.0.300').map(errorText), [
    'spec.clusterIP: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  assert.deepEqual(validateCIDR('x', '10.244.0.0/16'), []);
  assert.deepEqual(validateCIDR('r', '10.0.0.0/33').map(errorText), ['r: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  assert.deepEqual(validateNonSpecialIP('127.0.0.1', 'ip').map(errorText), ['ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']);
  assert.deepEqual(validateNonSpecialIP('0.0.0.0', 'ip').map(errorText), ['ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)']);
  assert.deepEqual(validateNonSpecialIP('169.254.169.254', 'ip').map(errorText), [
    'ip: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
  ]);
  assert.deepEqual(validateNonSpecialIP('192.168.1.10', 'ip'), []);
});

test('domain-prefixed paths (IngressClass controllers)', () => {
  assert.deepEqual(validateDomainPrefixedPath('c', 'k8s.io/ingress-nginx'), []);
  assert.deepEqual(validateDomainPrefixedPath('c', '').map(errorText), ['c: Required value']);
  assert.deepEqual(validateDomainPrefixedPath('c', 'nginx').map(errorText), ['c: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']);
});
