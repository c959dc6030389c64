from nhl_bronze.cli.main import main

raise SystemExit(main())
