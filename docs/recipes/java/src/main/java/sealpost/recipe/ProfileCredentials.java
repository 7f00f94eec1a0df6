package sealpost.recipe;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * A profile's credentials, as the AWS CLI resolves them: static keys, a role (role_arn + source_profile, through STS)
 * or IAM Identity Center / SSO (the sso and ssooidc modules; an expired session is reported as sso_expired). The SDK
 * (2.26) does not read AWS_ENDPOINT_URL_STS, so when it is set (a VPC endpoint, or a test server) a role profile's
 * AssumeRole goes there, as AWS_ENDPOINT_URL_KMS does for KMS.
 */
final class ProfileCredentials {
  private ProfileCredentials() {}

  static AwsCredentialsProvider of(String profile) {
    String endpoint = System.getenv("AWS_ENDPOINT_URL_STS");
    if (endpoint == null || endpoint.isEmpty()) return ProfileCredentialsProvider.create(profile);
    Optional<Profile> found = ProfileFile.defaultProfileFile().profile(profile);
    Optional<String> roleArn = found.flatMap(p -> p.property("role_arn"));
    Optional<String> source = found.flatMap(p -> p.property("source_profile"));
    if (roleArn.isEmpty() || source.isEmpty()) return ProfileCredentialsProvider.create(profile);
    StsClientBuilder sts = StsClient.builder().endpointOverride(URI.create(endpoint)).credentialsProvider(of(source.get()));
    String region = System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : found.flatMap(p -> p.property("region")).orElse(null);
    if (region != null && !region.isEmpty()) sts.region(Region.of(region));
    return StsAssumeRoleCredentialsProvider.builder()
        .stsClient(sts.build())
        .refreshRequest(r -> r.roleArn(roleArn.get()).roleSessionName("sealpost-recipe-" + profile))
        .build();
  }
}
