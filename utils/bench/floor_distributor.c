// A DTLTO distributor that does no work, for the benchmark's dtlto-floor
// row: what lld's own DTLTO steps cost (one index file per job, the job
// file, starting a distributor, reading every object back, removing the
// files), which no distributor, and so no cache behind one, can avoid.
//
//   floor_distributor <objdir> <jobs.json>
//       hard-links <objdir>/<N> to the output of job N
//   floor_distributor --fill <objdir> <distributor> [args...] <jobs.json>
//       runs a real distributor, then copies each job's output into
//       <objdir> under that name (untimed, once)
//
// lld numbers the jobs of the same link line the same way every time, so
// the number names a job's object: module names will not do, since lld
// names archive members with its process id ('lib.a(m.o at 12).3.7A33.o').
//
// C, one small static program: its own start-up must not hide lld's costs.
// It reads only what lld 22 writes: compact JSON, each job's "args"
// starting with its module and "outputs" holding one path, no escapes.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *What, const char *Arg) {
  fprintf(stderr, "floor_distributor: %s%s%s\n", What, Arg ? ": " : "",
          Arg ? Arg : "");
  exit(1);
}

static char *readAll(const char *Path, size_t *Size) {
  int Fd = open(Path, O_RDONLY);
  struct stat St;
  if (Fd < 0 || fstat(Fd, &St) != 0)
    die("cannot read", Path);
  char *Buf = malloc(St.st_size + 1);
  ssize_t Got = 0;
  while (Got < St.st_size) {
    ssize_t N = read(Fd, Buf + Got, St.st_size - Got);
    if (N <= 0)
      die("cannot read", Path);
    Got += N;
  }
  Buf[Got] = 0;
  close(Fd);
  *Size = Got;
  return Buf;
}

// Copies the JSON string that starts right after Key into Out.
static const char *stringAfter(const char *From, const char *Key, char *Out,
                               size_t Size) {
  const char *P = strstr(From, Key);
  if (!P)
    return NULL;
  P += strlen(Key);
  const char *End = strchr(P, '"');
  if (!End || (size_t)(End - P) >= Size || memchr(P, '\\', End - P))
    die("unexpected job file", NULL);
  memcpy(Out, P, End - P);
  Out[End - P] = 0;
  return End;
}

static void copyFile(const char *From, const char *To) {
  size_t Size;
  char *Data = readAll(From, &Size);
  int Out = open(To, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (Out < 0 || write(Out, Data, Size) != (ssize_t)Size || close(Out))
    die("cannot write", To);
  free(Data);
}

int main(int Argc, char **Argv) {
  int Fill = Argc > 1 && !strcmp(Argv[1], "--fill");
  if (Argc < 3 + 2 * Fill)
    die("usage: floor_distributor [--fill] <objdir> [<distributor> "
        "[args...]] <jobs.json>",
        NULL);
  const char *ObjDir = Argv[1 + Fill];
  const char *JobFile = Argv[Argc - 1];
  if (Fill) {
    pid_t Pid = fork();
    if (Pid == 0) {
      execvp(Argv[3], Argv + 3);
      _exit(127);
    }
    int Status;
    if (Pid < 0 || waitpid(Pid, &Status, 0) != Pid || !WIFEXITED(Status) ||
        WEXITSTATUS(Status) != 0)
      die("the distributor failed", Argv[3]);
  }
  size_t Size;
  char *Json = readAll(JobFile, &Size);
  const char *P = strstr(Json, "\"jobs\":[");
  if (!P)
    die("no jobs in", JobFile);
  char Module[4096], Output[4096], Saved[8192];
  for (unsigned N = 0;
       (P = stringAfter(P, "{\"args\":[\"", Module, sizeof Module)); ++N) {
    P = stringAfter(P, "\"outputs\":[\"", Output, sizeof Output);
    if (!P)
      die("a job without outputs in", JobFile);
    snprintf(Saved, sizeof Saved, "%s/%u", ObjDir, N);
    if (Fill)
      copyFile(Output, Saved);
    else if (link(Saved, Output) != 0)
      die(strerror(errno), Saved);
  }
  free(Json);
  return 0;
}
