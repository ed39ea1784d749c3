/**
 * @module core/v1 Service and Endpoints.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, bool, intOrString, ref, map, arr, mergeByKey, core, meta, typeMeta, objectMeta, listMeta, gvk, def } from './dsl.ts';

export const serviceDefinitions: Definition[] = [
  def(core('EndpointsList'), 'EndpointsList is a list of endpoints.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('Endpoints')), 'List of endpoints.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'EndpointsList') }),
  def(core('Endpoints'), 'Endpoints is a collection of endpoints that implement the actual service.', {
    ...typeMeta,
    metadata: objectMeta,
    subsets: arr(ref(core('EndpointSubset')), 'The set of all endpoints is the union of all subsets.'),
  }, { gvk: gvk('', 'v1', 'Endpoints') }),
  def(core('ServiceList'), 'ServiceList holds a list of services.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('Service')), 'List of services.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'ServiceList') }),
  def(core('Service'), 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(core('ServiceSpec'), 'Specification of the desired behavior of the service.'),
    status: ref(core('ServiceStatus'), 'Most recently observed status of the service.'),
  }, { gvk: gvk('', 'v1', 'Service') }),
  def(core('EndpointSubset'), 'EndpointSubset is a group of addresses with a common set of ports.', {
    addresses: arr(ref(core('EndpointAddress')), 'IP addresses which offer the related ports that are marked as ready.'),
    notReadyAddresses: arr(ref(core('EndpointAddress')), 'IP addresses which offer the related ports but are not currently marked as ready because they have not yet finished starting, have recently failed a readiness check, or have recently failed a liveness check.'),
    ports: arr(ref(core('EndpointPort')), 'Port numbers available on the related IP addresses.'),
  }),
  def(core('EndpointPort'), 'EndpointPort is a tuple that describes a single port.', {
    name: str('The name of this port.'),
    port: int32('The port number of the endpoint.'),
    protocol: str('The IP protocol for this port.'),
    appProtocol: str('The application protocol for this port.'),
  }, { required: ['port'] }),
  def(core('EndpointAddress'), 'EndpointAddress is a tuple that describes single IP address.', {
    ip: str('The IP of this endpoint.'),
    hostname: str('The Hostname of this endpoint.'),
    nodeName: str('Optional: Node hosting this endpoint.'),
    targetRef: ref(core('ObjectReference'), 'ObjectReference contains enough information to let you inspect or modify the referred object.'),
  }, { required: ['ip'] }),
  def(core('ServiceStatus'), 'ServiceStatus represents the current status of a service.', {
    loadBalancer: ref(core('LoadBalancerStatus'), 'LoadBalancerStatus represents the status of a load-balancer.'),
    conditions: arr(ref(meta('Condition')), 'Current service state.', mergeByKey('type')),
  }),
  def(core('LoadBalancerStatus'), 'LoadBalancerStatus represents the status of a load-balancer.', {
    ingress: arr(ref(core('LoadBalancerIngress')), 'Ingress is a list containing ingress points for the load-balancer.'),
  }),
  def(core('LoadBalancerIngress'), 'LoadBalancerIngress represents the status of a load-balancer ingress point: traffic intended for the service should be sent to an ingress point.', {
    ip: str('IP is set for load-balancer ingress points that are IP based (typically GCE or OpenStack load-balancers)'),
    hostname: str('Hostname is set for load-balancer ingress points that are DNS based (typically AWS load-balancers)'),
    ipMode: str('IPMode specifies how the load-balancer IP behaves, and may only be specified when the ip field is specified.'),
    ports: arr(ref(core('PortStatus')), 'Ports is a list of records of service ports If used, every port defined in the service should have an entry in it.'),
  }),
  def(core('PortStatus'), 'PortStatus represents the error condition of a service port.', {
    port: int32('Port is the port number of the service port of which status is recorded here.'),
    protocol: str('Protocol is the protocol of the service port of which status is recorded here The supported values are: "TCP", "UDP", "SCTP".'),
    error: str('Error is to record the problem with the service port The format of the error shall comply with the following rules: - built-in error values shall be specified in this file and those shall use   CamelCase names - cloud provider specific error values must have names that comply with the   format foo.example.com/CamelCase.'),
  }, { required: ['port', 'protocol'] }),
  def(core('ServiceSpec'), 'ServiceSpec describes the attributes that a user creates on a service.', {
    ports: arr(ref(core('ServicePort')), 'The list of ports that are exposed by this service.', { ...mergeByKey('port'), listMapKeys: ['port', 'protocol'] }),
    selector: map(str(), 'Route service traffic to pods with label keys and values matching this selector.'),
    clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly.'),
    clusterIPs: arr(str(), 'ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.'),
    type: str('type determines how the Service is exposed.'),
    externalIPs: arr(str(), 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    sessionAffinity: str('Supports "ClientIP" and "None".'),
    loadBalancerIP: str('Only applies to Service Type: LoadBalancer.'),
    loadBalancerSourceRanges: arr(str(), 'If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.'),
    externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record).'),
    externalTrafficPolicy: str('externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs).'),
    healthCheckNodePort: int32('healthCheckNodePort specifies the healthcheck nodePort for the service.'),
    publishNotReadyAddresses: bool('publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.'),
    sessionAffinityConfig: ref(core('SessionAffinityConfig'), 'SessionAffinityConfig represents the configurations of session affinity.'),
    ipFamilies: arr(str(), 'IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.'),
    ipFamilyPolicy: str('IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.'),
    allocateLoadBalancerNodePorts: bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.'),
    loadBalancerClass: str('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
    internalTrafficPolicy: str('InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.'),
    trafficDistribution: str('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
  }),
  def(core('SessionAffinityConfig'), 'SessionAffinityConfig represents the configurations of session affinity.', {
    clientIP: ref(core('ClientIPConfig'), 'ClientIPConfig represents the configurations of Client IP based session affinity.'),
  }),
  def(core('ClientIPConfig'), 'ClientIPConfig represents the configurations of Client IP based session affinity.', {
    timeoutSeconds: int32('timeoutSeconds specifies the seconds of ClientIP type session sticky time.'),
  }),
  def(core('ServicePort'), 'ServicePort contains information on service\'s port.', {
    name: str('The name of this port within the service.'),
    protocol: str('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.', { default: 'TCP' }),
    appProtocol: str('The application protocol for this port.'),
    port: int32('The port that will be exposed by this service.'),
    targetPort: intOrString('Number or name of the port to access on the pods targeted by the service.'),
    nodePort: int32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
  }, { required: ['port'] }),
];
