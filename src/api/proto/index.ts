/**
 * @module Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf)
 * decoded into the JSON objects nanokube stores. See README.md.
 */

export { decodeK8sProtobuf, hasProtobufMagic, PROTOBUF_MEDIA_TYPE, type DecodedObject } from './decode.ts';
export { ProtoError, isProtoError, type ProtoErrorCode } from './errors.ts';
