"""Department keys for the Python recipe (consume.py): local key files or KMS, and why a decrypt failed.

The lock reasons are those of docs/consumers.md, so the recipe's lines compare with the kit's line for line.
"""
import io
import os
import re

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk.identifiers import EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.internal.formatting.deserialize import deserialize_header
from aws_encryption_sdk.key_providers.kms import DiscoveryFilter
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider

KEY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class LocalKeys(RawMasterKeyProvider):
    """The folder's NAME.key files as raw AES keys: provider id 'sealpost', key id NAME (what the service writes)."""

    provider_id = "sealpost"

    def __init__(self):  # pylint: disable=super-init-not-called
        self.keys = {}

    def load(self, folder):
        """Reads the key files (32 bytes each, as the service writes them, mode 0600)."""
        for name in sorted(os.listdir(folder)):
            if name.endswith(".key") and KEY_NAME.match(name[:-4]):
                with open(os.path.join(folder, name), "rb") as f:
                    key = f.read()
                if len(key) == 32:
                    self.keys[name[:-4]] = key
                    self.add_master_key(name[:-4].encode("utf-8"))  # the ESDK decrypts with registered keys only
        return self

    def _get_raw_key(self, key_id):
        """Asked by the ESDK with the key name of a data key; a name we do not hold is a key we were not given."""
        key = self.keys.get(key_id.decode("utf-8"))
        if key is None:
            raise KeyError(f"no local key {key_id!r}")
        return WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=key,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        )


KMS_ERRORS = []  # error codes KMS answered during the current decrypt (the ESDK keeps only "Unable to decrypt")


def remember_kms_error(parsed=None, http_response=None, **_kwargs):
    """botocore hook after each KMS Decrypt: keep the error code, so a lock can say access denied vs not found."""
    code = (parsed or {}).get("Error", {}).get("Code")
    if code:
        KMS_ERRORS.append(code)
    if http_response is not None and http_response.status_code in (401, 403):
        KMS_ERRORS.append("AccessDenied")  # refused at the front door, without a KMS error body (as the kit reads it)


def kms_keys(profile, accounts):
    """KMS in discovery mode with the profile's credentials, always limited to your accounts: a crafted record could name any key."""
    session = botocore.session.Session(profile=profile) if profile else botocore.session.Session()
    session.register("after-call.kms.Decrypt", remember_kms_error)  # before the ESDK creates its KMS clients
    kwargs = {"botocore_session": session}
    kwargs["discovery_filter"] = DiscoveryFilter(account_ids=accounts, partition="aws")
    return aws_encryption_sdk.DiscoveryAwsKmsMasterKeyProvider(**kwargs)


def cause_codes(err):
    """AWS error codes anywhere in the exception chain (the ESDK wraps botocore's ClientError)."""
    codes, seen = [], set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        code = getattr(err, "response", {}).get("Error", {}).get("Code") if hasattr(err, "response") else None
        if code:
            codes.append(code)
        err = err.__cause__ or err.__context__
    return codes


def local_sealed(message):
    """True when every data key of the ESDK message is wrapped by a local Sealpost key (provider id 'sealpost')."""
    try:
        header, _ = deserialize_header(io.BytesIO(message))
    except Exception:  # pylint: disable=broad-except
        return False
    ids = [k.key_provider.provider_id for k in header.encrypted_data_keys]
    return bool(ids) and all(i in ("sealpost", b"sealpost") for i in ids)


def lock_for(err, department, local, sealed_locally=True):
    """The lock reason of docs/consumers.md for a failed decrypt."""
    codes = cause_codes(err) + KMS_ERRORS
    text = f"{type(err).__name__}: {err}".splitlines()[0][:160]
    if any(c in ("AccessDeniedException", "AccessDenied") for c in codes):
        return "access_denied", f"this identity may not use the {department} key: ask for kms:Decrypt on it ({text})"
    if any(c in ("NotFoundException", "DisabledException", "KMSInvalidStateException") for c in codes):
        return "key_not_found", f"the {department} key is not visible or not usable ({text})"
    if any(c in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException") for c in codes):
        return "no_credentials", f"AWS rejected the credentials ({text})"
    if type(err).__name__ in ("NoCredentialsError", "SSOTokenLoadError", "UnauthorizedSSOTokenError"):
        return "no_credentials", f"no usable AWS credentials ({text})"
    if type(err).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"):
        return "kms_unreachable", f"KMS did not answer ({text})"
    if type(err).__name__ == "DecryptKeyError" or "Unable to decrypt any data key" in str(err):
        if local and not sealed_locally:
            return "key_not_found", f"this {department} section is sealed under a KMS key, and local keys only were given (--keys): read it with --profile P --account ID"
        if local:
            return "not_granted", f"no key in the local key folder opens the {department} section: copy {department}.key from the ingest service"
        return "key_not_found", f"no KMS key this identity may use opens the {department} section ({text})"
    return "tampered", f"the {department} section did not authenticate ({text}): do not trust it"
