{
  "targets": [
    {
      "target_name": "isal_deflate",
      "sources": ["src/isal_deflate.c"],
      "libraries": ["-lisal"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
