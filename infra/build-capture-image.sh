#!/usr/bin/env bash
# Builds the capture-service container image and pushes it to ECR, creating the repository if needed.
# Prints the image URI to pass to `sam deploy` as CaptureImage.
#
#   infra/build-capture-image.sh [--jvm | --native] [--platform linux/arm64] [--repository orderflow-capture]
#                                [--tag TAG] [--region REGION]
#
# --jvm (default) packs capture-service/target/quarkus-app: run `./mvnw package` first.
# --native compiles the native executable inside the Docker build (infra/capture/Dockerfile.native).
# --platform must match the host's architecture: linux/arm64 for the default Graviton instance type.
# Needs: docker with buildx, the AWS CLI with credentials for the target account.
set -euo pipefail

mode=jvm
platform=linux/arm64
repository=orderflow-capture
tag=
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --jvm) mode=jvm ;;
    --native) mode=native ;;
    --platform) platform=${2:?--platform needs a value}; shift ;;
    --repository) repository=${2:?--repository needs a value}; shift ;;
    --tag) tag=${2:?--tag needs a value}; shift ;;
    --region) region=${2:?--region needs a value}; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
  shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$region" ] || region=$(aws configure get region || true)
[ -n "$region" ] || { echo "no AWS region: pass --region or set AWS_REGION" >&2; exit 2; }
# Tags are immutable in the repository, so every build gets its own; a new tag rolls the host on deploy.
[ -n "$tag" ] || tag=$mode-$(date -u +%Y%m%d%H%M%S)

case $mode in
  jvm)
    context=$root/capture-service/target/quarkus-app
    [ -f "$context/quarkus-run.jar" ] || { echo "$context is missing: run ./mvnw package first" >&2; exit 1; }
    ;;
  native)
    context=$root
    ;;
esac

account=$(aws sts get-caller-identity --query Account --output text)
registry=$account.dkr.ecr.$region.amazonaws.com
image=$registry/$repository:$tag

if ! aws ecr describe-repositories --region "$region" --repository-names "$repository" >/dev/null 2>&1; then
  aws ecr create-repository --region "$region" --repository-name "$repository" \
    --image-tag-mutability IMMUTABLE --image-scanning-configuration scanOnPush=true >/dev/null
  echo "created ECR repository $repository" >&2
fi
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >&2

docker buildx build --platform "$platform" --file "$root/infra/capture/Dockerfile.$mode" \
  --tag "$image" --push "$context" >&2

echo "$image"
