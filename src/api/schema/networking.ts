/**
 * @module networking.k8s.io/v1 Ingress and IngressClass.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, ref, arr, core, networking, typeMeta, objectMeta, listMeta, gvk, def } from './dsl.ts';

export const networkingDefinitions: Definition[] = [
  def(networking('IngressClassList'), 'IngressClassList is a collection of IngressClasses.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(networking('IngressClass')), 'items is the list of IngressClasses.', {}),
  }, { required: ['items'], gvk: gvk('networking.k8s.io', 'v1', 'IngressClassList') }),
  def(networking('IngressClass'), 'IngressClass represents the class of the Ingress, referenced by the Ingress Spec.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(networking('IngressClassSpec'), 'Specification of the desired behavior of the IngressClass.'),
  }, { gvk: gvk('networking.k8s.io', 'v1', 'IngressClass') }),
  def(networking('IngressList'), 'IngressList is a collection of Ingress.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(networking('Ingress')), 'items is the list of Ingress.', {}),
  }, { required: ['items'], gvk: gvk('networking.k8s.io', 'v1', 'IngressList') }),
  def(networking('Ingress'), 'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(networking('IngressSpec'), 'Specification of the desired behavior of the Ingress.'),
    status: ref(networking('IngressStatus'), 'Most recently observed status of the Ingress.'),
  }, { gvk: gvk('networking.k8s.io', 'v1', 'Ingress') }),
  def(networking('IngressClassSpec'), 'IngressClassSpec provides information about the class of an Ingress.', {
    controller: str('controller refers to the name of the controller that should handle this class.'),
    parameters: ref(networking('IngressClassParametersReference'), 'IngressClassParametersReference identifies an API object.'),
  }),
  def(networking('IngressClassParametersReference'), 'IngressClassParametersReference identifies an API object.', {
    apiGroup: str('apiGroup is the group for the resource being referenced.'),
    kind: str('kind is the type of resource being referenced.'),
    name: str('name is the name of resource being referenced.'),
    scope: str('scope represents if this refers to a cluster or namespace scoped resource.'),
    namespace: str('namespace is the namespace of the resource being referenced.'),
  }, { required: ['kind', 'name'] }),
  def(networking('IngressStatus'), 'IngressStatus describe the current state of the Ingress.', {
    loadBalancer: ref(networking('IngressLoadBalancerStatus'), 'IngressLoadBalancerStatus represents the status of a load-balancer.'),
  }),
  def(networking('IngressLoadBalancerStatus'), 'IngressLoadBalancerStatus represents the status of a load-balancer.', {
    ingress: arr(ref(networking('IngressLoadBalancerIngress')), 'ingress is a list containing ingress points for the load-balancer.'),
  }),
  def(networking('IngressLoadBalancerIngress'), 'IngressLoadBalancerIngress represents the status of a load-balancer ingress point.', {
    ip: str('ip is set for load-balancer ingress points that are IP based.'),
    hostname: str('hostname is set for load-balancer ingress points that are DNS based.'),
    ports: arr(ref(networking('IngressPortStatus')), 'ports provides information about the ports exposed by this LoadBalancer.'),
  }),
  def(networking('IngressPortStatus'), 'IngressPortStatus represents the error condition of a service port.', {
    port: int32('port is the port number of the ingress port.'),
    protocol: str('protocol is the protocol of the ingress port.'),
    error: str('error is to record the problem with the service port The format of the error shall comply with the following rules: - built-in error values shall be specified in this file and those shall use   CamelCase names - cloud provider specific error values must have names that comply with the   format foo.example.com/CamelCase.'),
  }, { required: ['port', 'protocol'] }),
  def(networking('IngressSpec'), 'IngressSpec describes the Ingress the user wishes to exist.', {
    ingressClassName: str('ingressClassName is the name of an IngressClass cluster resource.'),
    defaultBackend: ref(networking('IngressBackend'), 'IngressBackend describes all endpoints for a given service and port.'),
    tls: arr(ref(networking('IngressTLS')), 'tls represents the TLS configuration.'),
    rules: arr(ref(networking('IngressRule')), 'rules is a list of host rules used to configure the Ingress.'),
  }),
  def(networking('IngressRule'), 'IngressRule represents the rules mapping the paths under a specified host to the related backend services.', {
    host: str('host is the fully qualified domain name of a network host, as defined by RFC 3986.'),
    http: ref(networking('HTTPIngressRuleValue'), 'HTTPIngressRuleValue is a list of http selectors pointing to backends.'),
  }),
  def(networking('HTTPIngressRuleValue'), 'HTTPIngressRuleValue is a list of http selectors pointing to backends.', {
    paths: arr(ref(networking('HTTPIngressPath')), 'paths is a collection of paths that map requests to backends.'),
  }, { required: ['paths'] }),
  def(networking('HTTPIngressPath'), 'HTTPIngressPath associates a path with a backend.', {
    path: str('path is matched against the path of an incoming request.'),
    pathType: str('pathType determines the interpretation of the path matching.'),
    backend: ref(networking('IngressBackend'), 'IngressBackend describes all endpoints for a given service and port.'),
  }, { required: ['pathType', 'backend'] }),
  def(networking('IngressBackend'), 'IngressBackend describes all endpoints for a given service and port.', {
    service: ref(networking('IngressServiceBackend'), 'IngressServiceBackend references a Kubernetes Service as a Backend.'),
    resource: ref(core('TypedLocalObjectReference'), 'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.'),
  }),
  def(networking('IngressServiceBackend'), 'IngressServiceBackend references a Kubernetes Service as a Backend.', {
    name: str('name is the referenced service.'),
    port: ref(networking('ServiceBackendPort'), 'ServiceBackendPort is the service port being referenced.'),
  }, { required: ['name'] }),
  def(networking('ServiceBackendPort'), 'ServiceBackendPort is the service port being referenced.', {
    name: str('name is the name of the port on the Service.'),
    number: int32('number is the numerical port number (e.g. 80) on the Service.'),
  }),
  def(networking('IngressTLS'), 'IngressTLS describes the transport layer security associated with an ingress.', {
    hosts: arr(str(), 'hosts is a list of hosts included in the TLS certificate.'),
    secretName: str('secretName is the name of the secret used to terminate TLS traffic on port 443.'),
  }),
];
