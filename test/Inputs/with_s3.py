#!/usr/bin/env python3
"""with_s3.py DIR [--creds=KIND] -- COMMAND... [--- COMMAND...]...: runs each
COMMAND in turn (until one fails) with a real S3
server that checks AWS Signature V4 on every request: moto's server (moto
5, in this machine image's Python), on a free 127.0.0.1 port, with its IAM
checks on (INITIAL_NO_AUTH_ACTION_COUNT). The script makes a user allowed
everything, its access key, a role to assume (for temporary credentials)
and the bucket "ltocache", then runs the commands with the standard AWS
variables set; "{endpoint}" in a command becomes the server's URL. The
server dies with this script (PR_SET_PDEATHSIG) and is stopped when the
last command ends.

KIND: user (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or session (a role's
temporary credentials and AWS_SESSION_TOKEN). The secret and the token are
written to DIR/secrets.txt, one a line (for checking that nothing prints
them); the bucket's objects are listed in DIR/objects.txt at the end
("<size> <key>" per line)."""
import argparse
import json
import os
import subprocess
import sys

from with_nginx import die_with_parent, free_port, wait_listening  # Beside.

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": "sts:AssumeRole"}]})
# Requests served before the server checks signatures: the user, its
# policy and its access key, made with made-up credentials.
UNAUTHENTICATED = 3


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit(__doc__)
    split = args.index("--")
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("dir")
    ap.add_argument("--creds", default="user",
                    choices=["user", "session"])
    opts, cmd = ap.parse_args(args[:split]), args[split + 1:]
    try:
        import boto3
        import moto.server  # noqa: F401 (only checks that it is there)
    except ImportError as e:
        sys.exit("with_s3.py: moto's server is not installed (%s): it comes "
                 "with this machine image's Python" % e)
    d = os.path.abspath(opts.dir)
    os.makedirs(d, exist_ok=True)
    port = free_port()
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(UNAUTHENTICATED))
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    log = open(os.path.join(d, "moto.log"), "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
         str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent)
    try:
        # moto's start (imports) can take seconds on a loaded machine.
        if not wait_listening(port, server, tries=2400):
            sys.exit("with_s3.py: moto's server did not start: see "
                     "%s/moto.log" % d)
        endpoint = "http://127.0.0.1:%d" % port
        region = "us-east-1"
        iam = boto3.client("iam", endpoint_url=endpoint, region_name=region,
                           aws_access_key_id="AKIAEXAMPLEBOOTSTRAP",
                           aws_secret_access_key="bootstrap")
        iam.create_user(UserName="ltocache")
        iam.put_user_policy(UserName="ltocache", PolicyName="all",
                            PolicyDocument=POLICY)
        key = iam.create_access_key(UserName="ltocache")["AccessKey"]
        user = dict(aws_access_key_id=key["AccessKeyId"],
                    aws_secret_access_key=key["SecretAccessKey"])
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region,
                          **user)
        s3.create_bucket(Bucket="ltocache")
        creds = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                 "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        if opts.creds == "session":
            iam = boto3.client("iam", endpoint_url=endpoint,
                               region_name=region, **user)
            iam.create_role(RoleName="ltocache",
                            AssumeRolePolicyDocument=TRUST)
            iam.put_role_policy(RoleName="ltocache", PolicyName="all",
                                PolicyDocument=POLICY)
            sts = boto3.client("sts", endpoint_url=endpoint,
                               region_name=region, **user)
            t = sts.assume_role(
                RoleArn="arn:aws:iam::123456789012:role/ltocache",
                RoleSessionName="ltocache-test")["Credentials"]
            creds = {"AWS_ACCESS_KEY_ID": t["AccessKeyId"],
                     "AWS_SECRET_ACCESS_KEY": t["SecretAccessKey"],
                     "AWS_SESSION_TOKEN": t["SessionToken"]}
        with open(os.path.join(d, "secrets.txt"), "w") as f:
            for k in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                if k in creds:
                    f.write(creds[k] + "\n")
        run_env = dict(os.environ)
        for k in list(run_env):
            if k.startswith("AWS_"):
                del run_env[k]
        run_env.update(creds)
        cmds, rc = [[]], 0
        for a in cmd:
            if a == "---":
                cmds.append([])
            else:
                cmds[-1].append(a.replace("{endpoint}", endpoint))
        for c in cmds:
            sys.stdout.flush()
            rc = subprocess.call(c, env=run_env)
            if rc:
                break
        with open(os.path.join(d, "objects.txt"), "w") as f:
            for page in s3.get_paginator("list_objects_v2").paginate(
                    Bucket="ltocache"):
                for o in page.get("Contents", []):
                    f.write("%d %s\n" % (o["Size"], o["Key"]))
    finally:
        server.terminate()
        server.wait()
    sys.exit(rc)


if __name__ == "__main__":
    main()
